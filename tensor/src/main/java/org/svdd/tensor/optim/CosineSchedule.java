package org.svdd.tensor.optim;

/**
 * Learning rate: linear warm-up from 0 to peak over warmupSteps, then cosine decay to minLr at totalSteps
 * (and minLr after): lr = minLr + (peak - minLr) (1 + cos(pi progress)) / 2.
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
