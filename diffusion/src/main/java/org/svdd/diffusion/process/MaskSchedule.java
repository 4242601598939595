package org.svdd.diffusion.process;

/**
 * The log-linear masking schedule of MDLM for t in [0, 1], computed in double:
 * <pre>
 *   maskProb(t) = m(t)      = (1 - eps) t
 *   sigma(t)                = -log(1 - m(t))              (total noise; m(t) = 1 - exp(-sigma(t)))
 *   dSigma(t)   = sigma'(t) = (1 - eps) / (1 - (1 - eps) t)
 *   lossWeight(t)           = sigma'(t) / expm1(sigma(t)) = 1 / t
 * </pre>
 *
 * @param eps keeps m(1) = 1 - eps below 1 so that sigma stays finite; MDLM uses 1e-3
 */
public record MaskSchedule(double eps) {
    public MaskSchedule {
        if (!(eps > 0 && eps < 1)) throw new IllegalArgumentException("eps must be in (0, 1), got " + eps);
    }

    /** MDLM's schedule, eps = 1e-3. */
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
