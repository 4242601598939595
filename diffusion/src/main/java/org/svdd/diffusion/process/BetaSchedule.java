package org.svdd.diffusion.process;

/**
 * A discrete Gaussian noise schedule over T training steps, computed in double: beta_t, alpha_t = 1 - beta_t and
 * alphaBar_t = prod_{s <= t} alpha_s for indices t = 0 .. T-1 (index t is the paper's step t + 1). Index -1 stands
 * for clean data, with alphaBar(-1) = 1.
 *
 * @param betas     beta_t, t = 0 .. T-1 (not copied: do not modify)
 * @param alphaBars alphaBar_t, t = 0 .. T-1, strictly decreasing (not copied: do not modify)
 */
public record BetaSchedule(double[] betas, double[] alphaBars) {
    /** Which curve. */
    public enum Kind { LINEAR, COSINE }

    public BetaSchedule {
        if (betas.length == 0 || betas.length != alphaBars.length)
            throw new IllegalArgumentException("need T >= 1 betas and as many alphaBars, got " + betas.length + " and " + alphaBars.length);
        for (int t = 0; t < betas.length; t++)
            if (!(betas[t] > 0 && betas[t] < 1)) throw new IllegalArgumentException("beta_" + t + " must be in (0, 1), got " + betas[t]);
    }

    /** The standard curve of the given kind: linear 1e-4 .. 0.02 (scaled to T), or cosine with offset s = 0.008. */
    public static BetaSchedule of(Kind kind, int steps) {
        return switch (kind) {
            case LINEAR -> linear(steps, 1e-4, 0.02);
            case COSINE -> cosine(steps, 0.008);
        };
    }

    /**
     * Ho et al.: beta_t linear from betaStart to betaEnd, both scaled by 1000 / T so that any T gives the same
     * overall noise as 1000 steps (improved-diffusion's {@code get_named_beta_schedule("linear")}).
     */
    public static BetaSchedule linear(int steps, double betaStart, double betaEnd) {
        double scale = 1000.0 / steps;
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) b[t] = scale * betaStart + (scale * betaEnd - scale * betaStart) * t / Math.max(1, steps - 1);
        return fromBetas(b);
    }

    /**
     * Nichol and Dhariwal: alphaBar(u) = f(u) / f(0) with f(u) = cos^2(((u + s) / (1 + s)) pi/2), u = t / T, and
     * beta_t = min(1 - alphaBar((t+1)/T) / alphaBar(t/T), 0.999).
     */
    public static BetaSchedule cosine(int steps, double s) {
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            double a1 = f((double) t / steps, s), a2 = f((double) (t + 1) / steps, s);
            b[t] = Math.min(1 - a2 / a1, 0.999);
        }
        return fromBetas(b);
    }

    private static double f(double u, double s) {
        double c = Math.cos((u + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    private static BetaSchedule fromBetas(double[] b) {
        double[] ab = new double[b.length];
        double acc = 1;
        for (int t = 0; t < b.length; t++) {
            acc *= 1 - b[t];
            ab[t] = acc;
        }
        return new BetaSchedule(b, ab);
    }

    /** T, the number of training steps. */
    public int steps() {
        return betas.length;
    }

    /** alpha_t = 1 - beta_t, t = 0 .. T-1 (a fresh array). */
    public double[] alphas() {
        double[] a = new double[betas.length];
        for (int t = 0; t < a.length; t++) a[t] = 1 - betas[t];
        return a;
    }

    /** alphaBar at index t, with alphaBar(-1) = 1 (clean data). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }

    /**
     * The DDPM posterior variance of q(x_{t-1} | x_t, x0) (Ho et al. eq. 7):
     * betaTilde_t = beta_t (1 - alphaBar_{t-1}) / (1 - alphaBar_t); 0 at t = 0.
     */
    public double posteriorVariance(int t) {
        return betas[t] * (1 - alphaBar(t - 1)) / (1 - alphaBar(t));
    }
}
