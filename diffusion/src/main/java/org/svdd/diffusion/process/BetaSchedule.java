package org.svdd.diffusion.process;

/**
 * A discrete Gaussian noise schedule over T steps, computed in double: beta_t, alpha_t = 1 - beta_t and
 * alphaBar_t = prod_{s <= t} alpha_s for t = 0 .. T-1 (index t is the paper's step t + 1).
 */
public record BetaSchedule(double[] betas, double[] alphaBars) {
    /** Which curve. */
    public enum Kind { LINEAR, COSINE }

    public static BetaSchedule of(Kind kind, int steps) {
        return kind == Kind.LINEAR ? linear(steps, 1e-4, 0.02) : cosine(steps, 0.008);
    }

    /** Ho et al.: beta linear from betaStart to betaEnd, scaled to 1000 steps. */
    public static BetaSchedule linear(int steps, double betaStart, double betaEnd) {
        double scale = 1000.0 / steps;
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) b[t] = scale * betaStart + (scale * betaEnd - scale * betaStart) * t / Math.max(1, steps - 1);
        return fromBetas(b);
    }

    /** Nichol and Dhariwal: alphaBar(t) = cos^2(((t/T + s) / (1 + s)) pi/2), betas clipped at 0.999. */
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

    public int steps() {
        return betas.length;
    }

    /** alphaBar at index t, with alphaBar(-1) = 1 (clean data). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }
}
