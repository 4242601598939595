package org.svdd.tensor;

import java.util.SplittableRandom;

/**
 * Seeded random source, always passed in explicitly. The same seed gives bit-identical draws on every backend:
 * numbers are drawn on the host in a fixed order and then uploaded.
 */
public final class Rng {
    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** An independent stream; consumes one draw of this one. */
    public Rng split() {
        return new Rng(random.split());
    }

    public double uniform() {
        return random.nextDouble();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal by the polar Box-Muller method (deterministic given the stream). */
    public double normal() {
        double u, v, s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** Exp(1) draw. */
    public double exponential() {
        return -Math.log1p(-random.nextDouble());
    }

    /** Gumbel(0, 1) draw. */
    public double gumbel() {
        return -Math.log(exponential());
    }

    public Tensor randn(Backend backend, int... shape) {
        int n = Shape.numel(shape);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) normal();
        return backend.upload(HostStorage.of(a), shape);
    }

    /** N(0, 1) draws on the process-wide default backend: a test and entry-point convenience; library code uses {@link #randn(Backend, int...)}. */
    public Tensor randn(int... shape) {
        return randn(Backends.current(), shape);
    }

    /** Uniform in [lo, hi). */
    public Tensor uniform(Backend backend, double lo, double hi, int... shape) {
        int n = Shape.numel(shape);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * random.nextDouble());
        return backend.upload(HostStorage.of(a), shape);
    }

    /** As {@link #uniform(Backend, double, double, int...)} on the default backend: a test and entry-point convenience. */
    public Tensor uniform(double lo, double hi, int... shape) {
        return uniform(Backends.current(), lo, hi, shape);
    }

    /** Exp(1) draws, for the Gumbel-max / exponential-race categorical trick. */
    public Tensor exponential(Backend backend, int... shape) {
        int n = Shape.numel(shape);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) exponential();
        return backend.upload(HostStorage.of(a), shape);
    }

    /**
     * One categorical draw per row of unnormalised log-probabilities (R, N) by the Gumbel-max trick; gives I64 (R).
     * -inf entries are never drawn.
     */
    public Tensor categorical(Tensor logits) {
        if (logits.rank() != 2) throw new IllegalArgumentException("categorical expects (rows, classes), got " + Shape.str(logits.shape()));
        int r = logits.shape()[0], n = logits.shape()[1];
        Tensor g;
        float[] a = new float[r * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) gumbel();
        g = logits.backend().upload(HostStorage.of(a), r, n);
        Tensor noisy = Grad.noGrad(() -> logits.detach().toDType(DType.F32).add(g));
        return noisy.argmax(1).reshape(r);
    }
}
