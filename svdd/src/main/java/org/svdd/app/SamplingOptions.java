package org.svdd.app;

import org.svdd.sampling.Method;
import org.svdd.sampling.Particles;
import org.svdd.sampling.Resampling;
import org.svdd.sampling.Samplers;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The sampling settings shared by compare and demo, each with a default; checked where they are turned into {@link Method.Settings}. */
final class SamplingOptions {
    @Option(names = "-M", defaultValue = "10", description = "Candidates per step: the budget knob (best-of-n draws N = M samples). Default: ${DEFAULT-VALUE}")
    int m;

    @Option(names = "--alpha", defaultValue = "0", description = "SVDD selection temperature; 0 = argmax. Default: ${DEFAULT-VALUE}")
    double alpha;

    @Option(names = "--particle-alpha", description = "Temperature of the particle methods' weights exp(v / alpha) (smc, fk-steering, nested-is). Default: 0.1.")
    Double particleAlpha;

    @Option(names = "--guidance", defaultValue = "1.0", description = "Gradient-guidance strength (dps, classifier-guidance). Default: ${DEFAULT-VALUE}")
    double guidance;

    @Option(names = "--mc-draws", defaultValue = "4", description = "x0 draws of the Monte-Carlo soft value (svdd-soft). Default: ${DEFAULT-VALUE}")
    int mcDraws;

    @Option(names = "--potential", defaultValue = "max", description = "FK-steering potential: diff, current, max, sum. Default: ${DEFAULT-VALUE}")
    String potential;

    @Option(names = "--resample-every", description = "Resampling interval in steps of every particle method (smc, fk-steering, nested-is). Default: 1 for smc and nested-is, --fk-every for fk-steering.")
    Integer resampleEvery;

    @Option(names = "--fk-every", description = "fk-steering's resampling interval in steps (its potentials apply there); overrides --resample-every for it. Default: --resample-every if given, else 5.")
    Integer fkEvery;

    @Option(names = "--resample", defaultValue = "multinomial", description = "Resampling scheme of every particle method: multinomial or systematic. Default: ${DEFAULT-VALUE}")
    String resample;

    @Option(names = "--ess", defaultValue = "1", description = "Every particle method resamples, at the steps of its interval, only when ESS < this fraction of the particles (1 = always). Default: ${DEFAULT-VALUE}")
    double ess;

    @Option(names = "--beam", defaultValue = "2", description = "Beam widths: W, or W0:W1 for a linear schedule. Default: ${DEFAULT-VALUE}")
    String beam;

    @Mixin
    ExecOptionsMixin execOptions;

    Method.Settings settings() {
        Particles.Potential pot;
        try {
            pot = Particles.Potential.valueOf(potential.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --potential '" + potential + "' (known: diff, current, max, sum)");
        }
        Resampling.Scheme scheme = switch (resample) {
            case "multinomial" -> Resampling.Scheme.MULTINOMIAL;
            case "systematic" -> Resampling.Scheme.SYSTEMATIC;
            default -> throw new IllegalArgumentException("unknown --resample '" + resample + "' (known: multinomial, systematic)");
        };
        if (resampleEvery != null && resampleEvery < 1) throw new IllegalArgumentException("--resample-every must be >= 1, got " + resampleEvery);
        if (fkEvery != null && fkEvery < 1) throw new IllegalArgumentException("--fk-every must be >= 1, got " + fkEvery);
        if (!(ess > 0 && ess <= 1)) throw new IllegalArgumentException("--ess must be in (0, 1], got " + ess);
        Method.Settings d = Method.Settings.defaults(m);
        int every = resampleEvery != null ? resampleEvery : d.resampling().every();
        int fk = fkEvery != null ? fkEvery : resampleEvery != null ? resampleEvery : d.fkEvery();
        return new Method.Settings(m, alpha, particleAlpha != null ? particleAlpha : d.particleAlpha(), guidance, mcDraws, pot, fk,
                new Resampling(scheme, every, 0, 1, ess), Samplers.BeamWidths.parse(beam));
    }


    static int parseInt(String s, String option) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new Usage.Error(option + ": '" + s + "' is not an integer");
        }
    }
}
