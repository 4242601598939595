package org.svdd.diffusion.process;

/**
 * A weight w(SNR_t) on each row's epsilon-prediction loss, where SNR_t = alphaBar_t / (1 - alphaBar_t). With the
 * uniform weight the loss is DDPM's L_simple, which is dominated by the low-noise steps (a small noise is hard to
 * predict); min-SNR-gamma (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy") caps the
 * x0-space weight SNR_t at gamma, which for epsilon-prediction is w = min(SNR_t, gamma) / SNR_t: 1 where
 * SNR_t <= gamma, less at lower noise. Written in checkpoint metadata by {@link #spec()}, read back by {@link #parse}.
 */
public sealed interface LossWeighting {
    /** The weight of a row drawn at signal-to-noise ratio snr > 0. */
    double weight(double snr);

    /** The text form: "uniform" or "min-snr:GAMMA". */
    String spec();

    record Uniform() implements LossWeighting {
        public double weight(double snr) {
            return 1;
        }

        public String spec() {
            return "uniform";
        }
    }

    record MinSnr(double gamma) implements LossWeighting {
        public MinSnr {
            if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("min-snr gamma must be a positive number, got " + gamma);
        }

        public double weight(double snr) {
            return Math.min(snr, gamma) / snr;
        }

        public String spec() {
            return "min-snr:" + java.math.BigDecimal.valueOf(gamma).stripTrailingZeros().toPlainString();
        }
    }

    LossWeighting UNIFORM = new Uniform();

    /** "uniform" or "min-snr:GAMMA" (GAMMA > 0; Hang et al. use 5). */
    static LossWeighting parse(String spec) {
        if (spec.equals("uniform")) return UNIFORM;
        if (spec.startsWith("min-snr:")) {
            String g = spec.substring("min-snr:".length());
            try {
                return new MinSnr(Double.parseDouble(g));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("loss weighting '" + spec + "': gamma '" + g + "' is not a number");
            }
        }
        throw new IllegalArgumentException("unknown loss weighting '" + spec + "' (known: uniform, min-snr:GAMMA)");
    }
}
