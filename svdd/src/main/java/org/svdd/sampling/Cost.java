package org.svdd.sampling;

import org.svdd.diffusion.process.Guide;
import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.function.Supplier;

/**
 * What a sampler spent: denoiser rows (one row = the denoiser run on one state), of which the rows that were also
 * differentiated (guidance), value-network rows, and reward evaluations; and the wall time inside denoiser passes and
 * inside reward calls, so that what a step spends outside the denoiser can be reported. Counted by wrapping the
 * proposal and the reward ({@link #count(Proposal)}, {@link #count(Reward)}), so no sampler has to keep books.
 */
public final class Cost {
    private long denoiserRows, gradientRows, valueRows, rewardCalls;
    private final Clock denoiserClock = new Clock(), rewardClock = new Clock();
    private java.util.function.IntConsumer onStep = i -> {
    };

    /** Called with the step index whenever a reverse step is prepared (progress display). */
    public void onStep(java.util.function.IntConsumer listener) {
        onStep = listener;
    }

    public long denoiserRows() {
        return denoiserRows;
    }

    public long gradientRows() {
        return gradientRows;
    }

    public long valueRows() {
        return valueRows;
    }

    public long rewardCalls() {
        return rewardCalls;
    }

    /** Seconds inside denoiser passes (a guided pass's gradient included). */
    public double denoiserSeconds() {
        return denoiserClock.nanos / 1e9;
    }

    /** Seconds inside reward calls (the reward's forward pass, for a differentiable reward under guidance). */
    public double rewardSeconds() {
        return rewardClock.nanos / 1e9;
    }

    /** Wall time added up over the calls it timed. */
    private static final class Clock {
        private long nanos;

        <T> T time(Supplier<T> call) {
            long t0 = System.nanoTime();
            try {
                return call.get();
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }
    }

    void addValueRows(long n) {
        valueRows += n;
    }

    /** The proposal with every denoiser pass counted here. */
    public Proposal count(Proposal p) {
        return new Proposal.Forwarding(p) {
            @Override
            public Step prepare(Tensor xt, int i) {
                denoiserRows += xt.dim(0);
                onStep.accept(i);
                return denoiserClock.time(() -> inner.prepare(xt, i));
            }

            @Override
            public Step prepareGuided(Tensor xt, int i, Guide guide, double scale) {
                denoiserRows += xt.dim(0);
                gradientRows += xt.dim(0);
                onStep.accept(i);
                return denoiserClock.time(() -> inner.prepareGuided(xt, i, guide, scale));
            }

            @Override
            public Tensor sampleX0(Tensor x, int i, int draws, Rng rng) {
                denoiserRows += x.dim(0) * inner.sampleX0Passes(i, draws);
                return denoiserClock.time(() -> inner.sampleX0(x, i, draws, rng));
            }

            @Override
            public Prediction predict(Tensor x, int i) {
                denoiserRows += x.dim(0) * inner.predictPasses(i);
                Prediction pred = denoiserClock.time(() -> inner.predict(x, i));
                return Prediction.of(pred.x0(), idx -> {
                    onStep.accept(i + 1);                     // the step's pass was counted by predict
                    return pred.prepare(idx);
                });
            }
        };
    }

    /** The reward with every scored row counted here; a differentiable reward stays differentiable. */
    public Reward count(Reward r) {
        if (r instanceof Reward.Differentiable d) {
            return new Reward.Differentiable() {
                @Override
                public double[] score(Tensor x0) {
                    rewardCalls += x0.dim(0);
                    return rewardClock.time(() -> d.score(x0));
                }

                @Override
                public Tensor forward(Tensor x) {
                    rewardCalls += x.dim(0);
                    return rewardClock.time(() -> d.forward(x));
                }
            };
        }
        return x0 -> {
            rewardCalls += x0.dim(0);
            return rewardClock.time(() -> r.score(x0));
        };
    }
}
