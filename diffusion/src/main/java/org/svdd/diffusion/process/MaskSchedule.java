package org.svdd.diffusion.process;

/**
 * The log-linear masking schedule of MDLM, for t in [0, 1]: the mask probability m(t) = (1 - eps) t, the total noise
 * sigma(t) = -log(1 - m(t)), and its derivative sigma'(t) = (1 - eps) / (1 - (1 - eps) t).
 */
public record MaskSchedule(double eps) {
    public static MaskSchedule logLinear() {
        return new MaskSchedule(1e-3);
    }

    public double maskProb(double t) {
        return (1 - eps) * t;
    }

    public double sigma(double t) {
        return -Math.log1p(-(1 - eps) * t);
    }

    public double dSigma(double t) {
        return (1 - eps) / (1 - (1 - eps) * t);
    }

    /** The ELBO weight of the masked cross-entropy at time t: sigma'(t) / expm1(sigma(t)). */
    public double lossWeight(double t) {
        return dSigma(t) / Math.expm1(sigma(t));
    }
}
