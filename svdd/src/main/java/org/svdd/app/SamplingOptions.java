package org.svdd.app;

import org.svdd.core.Method;
import org.svdd.core.Particles;
import org.svdd.core.Resampling;
import org.svdd.core.Samplers;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The sampling settings shared by compare and demo, each with a default; checked where they are turned into {@link Method.Settings}. */
final class SamplingOptions {
    @Option(names = "-M", defaultValue = "10", description = "Candidates per step: the budget knob (best-of-n uses N = M + 1). Default: ${DEFAULT-VALUE}")
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

    @Option(names = "--fk-every", defaultValue = "5", description = "FK-steering resampling interval in steps. Default: ${DEFAULT-VALUE}")
    int fkEvery;

    @Option(names = "--resample", defaultValue = "multinomial", description = "SMC / nested-IS resampling: multinomial or systematic. Default: ${DEFAULT-VALUE}")
    String resample;

    @Option(names = "--ess", defaultValue = "1", description = "Resample only when ESS < this fraction of the particles (1 = every step). Default: ${DEFAULT-VALUE}")
    double ess;

    @Option(names = "--beam", defaultValue = "2", description = "Beam widths: W, or W0:W1 for a linear schedule. Default: ${DEFAULT-VALUE}")
    String beam;

    @Option(names = "--exec-timeout", defaultValue = "60", description = "exec: reward, seconds per call. Default: ${DEFAULT-VALUE}")
    double execTimeout;

    @Option(names = "--exec-batch", defaultValue = "64", description = "exec: reward, samples per call. Default: ${DEFAULT-VALUE}")
    int execBatch;

    @Option(names = "--exec-penalty", description = "exec: reward, score for samples whose call failed (crash, hang, bad output); default: stop with the error.")
    Double execPenalty;

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
        if (fkEvery < 1) throw new IllegalArgumentException("--fk-every must be >= 1, got " + fkEvery);
        return new Method.Settings(m, alpha, particleAlpha != null ? particleAlpha : Method.Settings.defaults(m).particleAlpha(), guidance, mcDraws, pot, fkEvery,
                new Resampling(scheme, 1, 0, 1, ess), Samplers.BeamWidths.parse(beam));
    }

    Task.ExecOptions exec() {
        if (!(execTimeout > 0)) throw new IllegalArgumentException("--exec-timeout must be > 0, got " + execTimeout);
        if (execBatch < 1) throw new IllegalArgumentException("--exec-batch must be >= 1, got " + execBatch);
        if (execPenalty != null && !Double.isFinite(execPenalty)) throw new IllegalArgumentException("--exec-penalty must be a finite number, got " + execPenalty);
        return new Task.ExecOptions(execBatch, Math.round(execTimeout * 1000), execPenalty);
    }

    static int parseInt(String s, String option) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new Usage.Error(option + ": '" + s + "' is not an integer");
        }
    }
}
