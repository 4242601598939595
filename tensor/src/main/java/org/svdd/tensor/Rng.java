package org.svdd.tensor;

import java.util.SplittableRandom;

/**
 * Seeded random source, always passed in explicitly. The same seed gives bit-identical draws on every backend:
 * numbers are drawn on the host in a fixed order and then uploaded.
 *
 * <p>An Rng is either one stream ({@code new Rng(seed)}) or S <b>per-sample streams</b> ({@link #streams}): stream j
 * belongs to sample first + j and depends only on (seed, first + j). A tensor draw over S streams splits its N
 * elements, in row-major order, into S equal consecutive blocks and draws block j from stream j. Samplers lay their
 * batches out sample-major (sample b's rows, candidates or positions together), so sample b's draws are the ones it
 * would get alone, and any split of the samples into batches or machines gives the same bits.
 */
public final class Rng {
    private final SplittableRandom[] streams;

    public Rng(long seed) {
        this(new SplittableRandom(seed));
    }

    private Rng(SplittableRandom... streams) {
        this.streams = streams;
    }

    /**
     * Streams for samples first .. first+count-1 from one seed: stream j is seeded by a hash of (seed, first + j),
     * so sample i's randomness is the same whichever range it is drawn in.
     */
    public static Rng streams(long seed, long first, int count) {
        if (count < 1) throw new IllegalArgumentException("need at least one stream, got " + count);
        if (first < 0) throw new IllegalArgumentException("first sample index must be >= 0, got " + first);
        SplittableRandom[] s = new SplittableRandom[count];
        for (int j = 0; j < count; j++) s[j] = new SplittableRandom(mix64(mix64(seed) + 0x9E3779B97F4A7C15L * (first + j + 1)));
        return new Rng(s);
    }

    /** Stafford's variant 13 of the 64-bit finaliser: distinct inputs give well-spread, distinct seeds. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Number of streams: 1, or the samples of {@link #streams}. */
    public int count() {
        return streams.length;
    }

    /**
     * Sample j's stream alone (sharing its state: draws from it advance this Rng's stream j). A single-stream Rng
     * serves every sample from its one stream, so it returns itself: then samples depend on their batch.
     */
    public Rng stream(int j) {
        if (streams.length == 1) return this;
        return new Rng(streams[j]);
    }

    /** An independent stream; consumes one draw of this one. */
    public Rng split() {
        return new Rng(one().split());
    }

    /** The single stream; scalar draws from per-sample streams are a bug (which sample's?), so they fail. */
    private SplittableRandom one() {
        if (streams.length != 1) throw new IllegalStateException("scalar draw from " + streams.length + " per-sample streams: draw from stream(j)");
        return streams[0];
    }

    public double uniform() {
        return one().nextDouble();
    }

    public int nextInt(int bound) {
        return one().nextInt(bound);
    }

    public long nextLong() {
        return one().nextLong();
    }

    /** Standard normal by the polar Box-Muller method (deterministic given the stream). */
    public double normal() {
        return normal(one());
    }

    private static double normal(SplittableRandom random) {
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
        return exponential(one());
    }

    private static double exponential(SplittableRandom random) {
        return -Math.log1p(-random.nextDouble());
    }

    /** Gumbel(0, 1) draw. */
    public double gumbel() {
        return gumbel(one());
    }

    private static double gumbel(SplittableRandom random) {
        return -Math.log(exponential(random));
    }

    private interface Draw {
        double from(SplittableRandom random);
    }

    /** n draws, block j of n / count() from stream j (see the class comment). */
    private float[] draw(int n, Draw d) {
        if (n % streams.length != 0)
            throw new IllegalArgumentException(n + " draws do not split evenly over " + streams.length + " per-sample streams");
        float[] a = new float[n];
        int per = n / streams.length;
        for (int j = 0, i = 0; j < streams.length; j++)
            for (int k = 0; k < per; k++) a[i++] = (float) d.from(streams[j]);
        return a;
    }

    public Tensor randn(Backend backend, int... shape) {
        return backend.upload(HostStorage.of(draw(Shape.numel(shape), Rng::normal)), shape);
    }

    /** N(0, 1) draws on the process-wide default backend: a test and entry-point convenience; library code uses {@link #randn(Backend, int...)}. */
    public Tensor randn(int... shape) {
        return randn(Backends.current(), shape);
    }

    /** Uniform in [lo, hi). */
    public Tensor uniform(Backend backend, double lo, double hi, int... shape) {
        return backend.upload(HostStorage.of(draw(Shape.numel(shape), r -> lo + (hi - lo) * r.nextDouble())), shape);
    }

    /** As {@link #uniform(Backend, double, double, int...)} on the default backend: a test and entry-point convenience. */
    public Tensor uniform(double lo, double hi, int... shape) {
        return uniform(Backends.current(), lo, hi, shape);
    }

    /** Exp(1) draws, for the Gumbel-max / exponential-race categorical trick. */
    public Tensor exponential(Backend backend, int... shape) {
        return backend.upload(HostStorage.of(draw(Shape.numel(shape), Rng::exponential)), shape);
    }

    /**
     * One categorical draw per row of unnormalised log-probabilities (R, N) by the Gumbel-max trick; gives I64 (R).
     * -inf entries are never drawn. Over per-sample streams, rows split evenly: sample j's rows come together.
     */
    public Tensor categorical(Tensor logits) {
        if (logits.rank() != 2) throw new IllegalArgumentException("categorical expects (rows, classes), got " + Shape.str(logits.shape()));
        int r = logits.shape()[0], n = logits.shape()[1];
        if (r % streams.length != 0) throw new IllegalArgumentException(r + " rows do not split evenly over " + streams.length + " per-sample streams");
        Tensor g = logits.backend().upload(HostStorage.of(draw(r * n, Rng::gumbel)), r, n);
        Tensor noisy = Grad.noGrad(() -> logits.detach().toDType(DType.F32).add(g));
        return noisy.argmax(1).reshape(r);
    }
}
