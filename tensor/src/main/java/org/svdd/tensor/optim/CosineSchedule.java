package org.svdd.tensor.optim;

/**
 * Learning rate as a pure function of the 0-based step: a linear ramp from 0 that reaches peak on the last warm-up
 * step, lr = peak (step + 1) / warmupSteps (so the first update already moves), then cosine decay to the floor
 * minLr at totalSteps, lr = minLr + (peak - minLr) (1 + cos(pi progress)) / 2 with
 * progress = (step - warmupSteps) / (totalSteps - warmupSteps), and minLr after.
 */
public record CosineSchedule(double peak, double minLr, long warmupSteps, long totalSteps) {
    public CosineSchedule {
        if (peak < 0 || minLr < 0 || minLr > peak || warmupSteps < 0 || totalSteps < warmupSteps) {
            throw new IllegalArgumentException("invalid schedule " + this);
        }
    }

    /** The rate for a 0-based step. */
    public double lr(long step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return minLr + (peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
