package org.svdd.diffusion.process;

import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * The Gaussian (DDPM) process on images in [-1, 1].
 * <pre>
 *   notation        code              paper
 *   alphaBar_t      schedule.alphaBar  cumulative product of (1 - beta)
 *   x_t             xt                 sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps
 *   eps_theta       model.predictEps   the denoiser
 *   x0_hat          predictX0          (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t)   (Tweedie)
 *   sigma_t         ddimSigma          eta sqrt((1 - alphaBar_prev)/(1 - alphaBar_t)) sqrt(1 - alphaBar_t/alphaBar_prev)
 *   x_prev          ddimStep           sqrt(alphaBar_prev) x0_hat + sqrt(1 - alphaBar_prev - sigma^2) eps + sigma z
 * </pre>
 * Coefficients are computed in double. Training indices t run 0 .. T-1; index -1 is clean data.
 */
public final class GaussianProcess {
    private final BetaSchedule schedule;

    public GaussianProcess(BetaSchedule schedule) {
        this.schedule = schedule;
    }

    public BetaSchedule schedule() {
        return schedule;
    }

    /** A per-row coefficient column (B, 1, 1, 1) of f(t[b]). */
    private static Tensor perRow(Backend be, int[] t, int rank, java.util.function.IntToDoubleFunction f) {
        float[] c = new float[t.length];
        for (int b = 0; b < t.length; b++) c[b] = (float) f.applyAsDouble(t[b]);
        int[] shape = new int[rank];
        java.util.Arrays.fill(shape, 1);
        shape[0] = t.length;
        return be.upload(HostStorage.of(c), shape);
    }

    /** q(x_t | x0): sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps, per row t. */
    public Tensor qSample(Tensor x0, int[] t, Tensor eps) {
        Backend be = x0.backend();
        return x0.mul(perRow(be, t, x0.rank(), i -> Math.sqrt(schedule.alphaBar(i))))
                .add(eps.mul(perRow(be, t, x0.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i)))));
    }

    /** Tweedie's estimate of x0 from x_t and the predicted noise. */
    public Tensor predictX0(Tensor xt, Tensor eps, int[] t) {
        Backend be = xt.backend();
        return xt.sub(eps.mul(perRow(be, t, xt.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i)))))
                .div(perRow(be, t, xt.rank(), i -> Math.sqrt(schedule.alphaBar(i))));
    }

    /** The noise consistent with x_t and an x0 (used after clipping x0). */
    public Tensor epsFromX0(Tensor xt, Tensor x0, int[] t) {
        Backend be = xt.backend();
        return xt.sub(x0.mul(perRow(be, t, xt.rank(), i -> Math.sqrt(schedule.alphaBar(i)))))
                .div(perRow(be, t, xt.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i))));
    }

    /** The epsilon-prediction loss: t ~ U{0..T-1}, eps ~ N(0, I), mean ||eps_theta(x_t, t) - eps||^2. */
    public Tensor loss(EpsModel model, Tensor x0, Rng rng) {
        int b = x0.dim(0);
        int[] t = new int[b];
        float[] tf = new float[b];
        for (int i = 0; i < b; i++) {
            t[i] = rng.nextInt(schedule.steps());
            tf[i] = t[i];
        }
        Tensor eps = rng.randn(x0.backend(), x0.shape());
        Tensor xt = Grad.noGrad(() -> qSample(x0, t, eps));
        return F.mse(model.predictEps(xt, x0.backend().upload(HostStorage.of(tf), b)), eps);
    }

    public double ddimSigma(int t, int tPrev, double eta) {
        double ab = schedule.alphaBar(t), abPrev = schedule.alphaBar(tPrev);
        return eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
    }

    /** Sampling settings: number of DDIM steps (a subsequence of the T training steps), eta (1 = DDPM-like), x0 clipping. */
    public record SamplerConfig(int steps, double eta, boolean clipX0) {
        public SamplerConfig {
            if (steps < 1) throw new IllegalArgumentException("sampling steps must be >= 1, got " + steps);
            if (eta < 0) throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
    }

    /** The DDIM reverse process as a {@link Proposal} over states of the given per-sample shape (C, H, W). */
    public Proposal proposal(EpsModel model, SamplerConfig cfg, int... sampleShape) {
        int n = Math.min(cfg.steps(), schedule.steps());
        int[] taus = new int[n];
        for (int i = 0; i < n; i++) taus[i] = (int) Math.round((double) i * (schedule.steps() - 1) / Math.max(1, n - 1));
        return new DdimProposal(model, cfg, taus, sampleShape);
    }

    private final class DdimProposal implements Proposal {
        private final EpsModel model;
        private final SamplerConfig cfg;
        private final int[] taus;
        private final int[] sampleShape;

        DdimProposal(EpsModel model, SamplerConfig cfg, int[] taus, int[] sampleShape) {
            this.model = model;
            this.cfg = cfg;
            this.taus = taus;
            this.sampleShape = sampleShape.clone();
        }

        @Override
        public int steps() {
            return taus.length;
        }

        /** Training index of x_t at reverse step i, and of the candidates (-1 = clean). */
        private int tAt(int i) {
            return taus[taus.length - 1 - i];
        }

        private int tAfter(int i) {
            return i + 1 < taus.length ? taus[taus.length - 2 - i] : -1;
        }

        @Override
        public double timeAfter(int i) {
            return (tAfter(i) + 1.0) / schedule.steps();
        }

        @Override
        public Tensor prior(int batch, Rng rng) {
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = batch;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            return rng.randn(shape);
        }

        private int[] fill(int b, int t) {
            int[] a = new int[b];
            java.util.Arrays.fill(a, t);
            return a;
        }

        private Tensor[] x0AndEps(Tensor x, int t) {
            int b = x.dim(0);
            float[] tf = new float[b];
            java.util.Arrays.fill(tf, t);
            int[] ts = fill(b, t);
            Tensor eps = model.predictEps(x, x.backend().upload(HostStorage.of(tf), b));
            Tensor x0 = GaussianProcess.this.predictX0(x, eps, ts);
            if (cfg.clipX0()) {
                x0 = x0.maximum(x0.scalarLike(-1)).minimum(x0.scalarLike(1));
                eps = epsFromX0(x, x0, ts);
            }
            return new Tensor[]{x0, eps};
        }

        @Override
        public Tensor predictX0(Tensor x, int i) {
            int t = tAfter(i);
            return t < 0 ? x : Grad.noGrad(() -> x0AndEps(x, t)[0]);
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            int t = tAt(i), tPrev = tAfter(i);
            Tensor[] pe = Grad.noGrad(() -> x0AndEps(xt, t));
            Tensor x0 = pe[0], eps = pe[1];
            double sigma = ddimSigma(t, tPrev, cfg.eta());
            double abPrev = schedule.alphaBar(tPrev);
            Tensor mean = Grad.noGrad(() -> x0.mul(Math.sqrt(abPrev)).add(eps.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma)))));
            return new Step() {
                @Override
                public Tensor x0Hat() {
                    return x0;
                }

                @Override
                public Tensor sample(int k, Rng rng) {
                    Tensor m = Proposal.repeatRows(mean, k);
                    if (sigma == 0) return m;
                    return Grad.noGrad(() -> m.add(rng.randn(m.backend(), m.shape()).mul(sigma)));
                }
            };
        }
    }
}
