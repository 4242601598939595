package org.svdd.diffusion.process;

import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * The Gaussian (DDPM) process on data in [-1, 1], with DDPM and DDIM reverse steps (names follow improved-diffusion).
 * <pre>
 *   code                 paper
 *   schedule.alphaBar(t) alphaBar_t = prod_{s <= t} (1 - beta_s)
 *   qSample              x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps                     (DDPM eq. 4)
 *   model.predictEps     eps_theta(x_t, t)
 *   predictX0            x0_hat = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t)             (Tweedie)
 *   ddpmStep             x_{t-1} = mu_tilde(x_t, x0_hat) + sqrt(betaTilde_t) z                      (DDPM eq. 7)
 *   ddimSigma            sigma_t = eta sqrt((1 - alphaBar_prev)/(1 - alphaBar_t)) sqrt(1 - alphaBar_t/alphaBar_prev)
 *   ddimStep             x_prev = sqrt(alphaBar_prev) x0_hat + sqrt(1 - alphaBar_prev - sigma_t^2) eps + sigma_t z
 * </pre>
 * Coefficients are computed in double and applied as F32. Training indices t run 0 .. T-1; index -1 is clean data.
 * Nothing here modifies its arguments.
 */
public final class GaussianProcess {
    private final BetaSchedule schedule;
    private final LossWeighting weighting;

    /** The process with the uniform loss weighting (L_simple). */
    public GaussianProcess(BetaSchedule schedule) {
        this(schedule, LossWeighting.UNIFORM);
    }

    public GaussianProcess(BetaSchedule schedule, LossWeighting weighting) {
        this.schedule = schedule;
        this.weighting = weighting;
    }

    public BetaSchedule schedule() {
        return schedule;
    }

    /** The weight {@link #loss} puts on each row by its timestep. */
    public LossWeighting weighting() {
        return weighting;
    }

    /** This process with another loss weighting; sampling is unaffected. */
    public GaussianProcess withWeighting(LossWeighting w) {
        return new GaussianProcess(schedule, w);
    }

    /** SNR_t = alphaBar_t / (1 - alphaBar_t) at training index t. */
    public double snr(int t) {
        double ab = schedule.alphaBar(t);
        return ab / (1 - ab);
    }

    /** A per-row coefficient column (B, 1, ..., 1) of rank {@code rank} holding f(t[b]). */
    private static Tensor perRow(Backend be, int[] t, int rank, IntToDoubleFunction f) {
        float[] c = new float[t.length];
        for (int b = 0; b < t.length; b++) c[b] = (float) f.applyAsDouble(t[b]);
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[0] = t.length;
        return be.upload(HostStorage.of(c), shape);
    }

    /** The per-row timestep array that {@link #qSample} and {@link #predictX0} take, t for every one of the rows. */
    public static int[] sameT(int rows, int t) {
        int[] a = new int[rows];
        Arrays.fill(a, t);
        return a;
    }

    private static Tensor timeInput(Backend be, int rows, int t) {
        float[] tf = new float[rows];
        Arrays.fill(tf, t);
        return be.upload(HostStorage.of(tf), rows);
    }

    /** q(x_t | x0) with the given noise: sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps, with t[b] for row b. */
    public Tensor qSample(Tensor x0, int[] t, Tensor eps) {
        Backend be = x0.backend();
        return x0.mul(perRow(be, t, x0.rank(), i -> Math.sqrt(schedule.alphaBar(i))))
                .add(eps.mul(perRow(be, t, x0.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i)))));
    }

    /** Tweedie's estimate of x0 from x_t and the (predicted) noise, with t[b] for row b. */
    public Tensor predictX0(Tensor xt, Tensor eps, int[] t) {
        Backend be = xt.backend();
        return xt.sub(eps.mul(perRow(be, t, xt.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i)))))
                .div(perRow(be, t, xt.rank(), i -> Math.sqrt(schedule.alphaBar(i))));
    }

    /** The noise consistent with x_t and an x0: (x_t - sqrt(alphaBar_t) x0) / sqrt(1 - alphaBar_t). */
    public Tensor epsFromX0(Tensor xt, Tensor x0, int[] t) {
        Backend be = xt.backend();
        return xt.sub(x0.mul(perRow(be, t, xt.rank(), i -> Math.sqrt(schedule.alphaBar(i)))))
                .div(perRow(be, t, xt.rank(), i -> Math.sqrt(1 - schedule.alphaBar(i))));
    }

    /**
     * The epsilon-prediction training loss: t ~ U{0 .. T-1} per row, eps ~ N(0, I), mean over all elements of
     * w(SNR_t) (eps_theta(x_t, t) - eps)^2 with the process's {@link #weighting()}; uniform weights give DDPM's
     * "L_simple". Differentiable in the model's parameters.
     */
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
        Tensor pred = model.predictEps(xt, x0.backend().upload(HostStorage.of(tf), b));
        if (weighting instanceof LossWeighting.Uniform) return F.mse(pred, eps);                   // no weights to apply
        return F.mse(pred, eps, perRow(x0.backend(), t, x0.rank(), i -> weighting.weight(snr(i))));
    }

    /**
     * The DDIM sampling timesteps: {@code steps} training indices spread evenly over 0 .. T-1, ascending, always
     * including 0 and T-1 (at most T of them). Sampling visits them in reverse and ends at -1 (clean data).
     */
    public int[] timesteps(int steps) {
        int n = Math.min(steps, schedule.steps());
        int[] taus = new int[n];
        for (int i = 0; i < n; i++) taus[i] = (int) Math.round((double) i * (schedule.steps() - 1) / Math.max(1, n - 1));
        return taus;
    }

    /** sigma_t of a DDIM step from t to tPrev < t (tPrev = -1 is clean data, where sigma = 0). */
    public double ddimSigma(int t, int tPrev, double eta) {
        double ab = schedule.alphaBar(t), abPrev = schedule.alphaBar(tPrev);
        return eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
    }

    /** The deterministic part of a DDIM step: sqrt(alphaBar_prev) x0_hat + sqrt(1 - alphaBar_prev - sigma^2) eps. */
    private Tensor ddimMean(Tensor x0, Tensor eps, int tPrev, double sigma) {
        double abPrev = schedule.alphaBar(tPrev);
        return x0.mul(Math.sqrt(abPrev)).add(eps.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
    }

    /** mean + sigma z, z ~ N(0, I) from rng; no draw when sigma = 0. */
    private static Tensor addNoise(Tensor mean, double sigma, Rng rng) {
        return sigma == 0 ? mean : mean.add(rng.randn(mean.backend(), mean.shape()).mul(sigma));
    }

    /**
     * One DDIM step (Song et al. eq. 12) for all rows at training index t to tPrev < t:
     * x_prev = sqrt(alphaBar_prev) x0_hat + sqrt(1 - alphaBar_prev - sigma_t^2) eps + sigma_t z, with x0_hat from
     * {@link #predictX0}. eta = 0 is deterministic DDIM; eta = 1 with tPrev = t - 1 is DDPM ancestral sampling.
     */
    public Tensor ddimStep(Tensor xt, Tensor eps, int t, int tPrev, double eta, Rng rng) {
        double sigma = ddimSigma(t, tPrev, eta);
        Tensor x0 = predictX0(xt, eps, sameT(xt.dim(0), t));
        return addNoise(ddimMean(x0, eps, tPrev, sigma), sigma, rng);
    }

    /**
     * One DDPM ancestral step (Ho et al. eq. 6-7) for all rows from training index t to t - 1:
     * x_{t-1} = c0 x0_hat + c1 x_t + sqrt(betaTilde_t) z, with c0 = beta_t sqrt(alphaBar_{t-1}) / (1 - alphaBar_t),
     * c1 = (1 - alphaBar_{t-1}) sqrt(alpha_t) / (1 - alphaBar_t) and betaTilde_t = {@link BetaSchedule#posteriorVariance}.
     */
    public Tensor ddpmStep(Tensor xt, Tensor eps, int t, Rng rng) {
        double beta = schedule.betas()[t], ab = schedule.alphaBar(t), abPrev = schedule.alphaBar(t - 1);
        double c0 = beta * Math.sqrt(abPrev) / (1 - ab), c1 = (1 - abPrev) * Math.sqrt(1 - beta) / (1 - ab);
        Tensor x0 = predictX0(xt, eps, sameT(xt.dim(0), t));
        return addNoise(x0.mul(c0).add(xt.mul(c1)), Math.sqrt(schedule.posteriorVariance(t)), rng);
    }

    /**
     * Sampling settings.
     *
     * @param steps  number of DDIM steps, a subsequence of the T training steps ({@link #timesteps})
     * @param eta    0 = deterministic DDIM, 1 = DDPM-like stochastic steps (the paper's setting)
     * @param clipX0 clip x0_hat to [-1, 1] and recompute eps from it before each step (improved-diffusion's
     *               {@code clip_denoised})
     */
    public record SamplerConfig(int steps, double eta, boolean clipX0) {
        public SamplerConfig {
            if (steps < 1) throw new IllegalArgumentException("sampling steps must be >= 1, got " + steps);
            if (eta < 0) throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }

        /** The paper's image setting: 50 steps, eta = 1, clipped x0. */
        public static SamplerConfig defaults() {
            return new SamplerConfig(50, 1.0, true);
        }
    }

    /**
     * The DDIM reverse process as a {@link Proposal} over states of the given per-sample shape (C, H, W); the prior
     * x_T is drawn on {@code backend} (the model's), and every later state stays there.
     */
    public Proposal proposal(Backend backend, EpsModel model, SamplerConfig cfg, int... sampleShape) {
        return new DdimProposal(backend, model, cfg, timesteps(cfg.steps()), sampleShape);
    }

    /**
     * Plain (pre-trained) sampling of shape (B, C, H, W): {@link Proposal#sample} on {@link #proposal} with one
     * candidate per step. The same rng seed gives the same samples.
     */
    public Tensor sample(Backend backend, EpsModel model, SamplerConfig cfg, Rng rng, int... shape) {
        return Proposal.sample(proposal(backend, model, cfg, Arrays.copyOfRange(shape, 1, shape.length)), shape[0], rng);
    }

    private final class DdimProposal implements Proposal {
        private final Backend backend;
        private final EpsModel model;
        private final SamplerConfig cfg;
        private final int[] taus;
        private final int[] sampleShape;

        DdimProposal(Backend backend, EpsModel model, SamplerConfig cfg, int[] taus, int[] sampleShape) {
            this.backend = backend;
            this.model = model;
            this.cfg = cfg;
            this.taus = taus;
            this.sampleShape = sampleShape.clone();
        }

        @Override
        public int steps() {
            return taus.length;
        }

        /** Training index of x_t at reverse step i. */
        private int tAt(int i) {
            return taus[taus.length - 1 - i];
        }

        /** Training index of the candidates of reverse step i (-1 = clean). */
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
            return rng.randn(backend, shape);
        }

        /** {x0_hat, eps} at training index t: one denoiser pass, then {@link #fromEps}. */
        private Tensor[] x0AndEps(Tensor x, int t) {
            return fromEps(x, model.predictEps(x, timeInput(x.backend(), x.dim(0), t)), t);
        }

        /**
         * {x0_hat, eps} from a noise estimate: Tweedie, then, when the config says so, x0_hat clipped to [-1, 1] and
         * eps recomputed from it.
         */
        private Tensor[] fromEps(Tensor x, Tensor eps, int t) {
            int[] ts = sameT(x.dim(0), t);
            Tensor x0 = GaussianProcess.this.predictX0(x, eps, ts);
            if (!cfg.clipX0()) return new Tensor[]{x0, eps};
            x0 = x0.maximum(x0.scalarLike(-1)).minimum(x0.scalarLike(1));
            return new Tensor[]{x0, epsFromX0(x, x0, ts)};
        }

        /** One pass at the candidates' level; step i+1 is the DDIM step from rows of the same {x0_hat, eps}. */
        @Override
        public Prediction predict(Tensor x, int i) {
            int t = tAfter(i);
            if (t < 0) return Prediction.fresh(this, x, i, x);
            Tensor[] pe = Grad.noGrad(() -> x0AndEps(x, t));
            return Prediction.of(pe[0], idx -> step(Proposal.rows(pe[0], idx), Proposal.rows(pe[1], idx), i + 1));
        }

        @Override
        public long predictPasses(int i) {
            return tAfter(i) < 0 ? 0 : 1;
        }

        @Override
        public Step prepare(Tensor xt, int i) {
            Tensor[] pe = Grad.noGrad(() -> x0AndEps(xt, tAt(i)));
            return step(pe[0], pe[1], i);
        }

        /**
         * Guidance as a shift of the predicted noise (classifier guidance, Dhariwal and Nichol; DPS when the guide
         * scores x0_hat): eps' = eps - scale sqrt(1 - alphaBar_t) d log G / d x_t, then x0_hat and the step from eps'.
         */
        @Override
        public Step prepareGuided(Tensor xt, int i, Guide guide, double scale) {
            int t = tAt(i);
            Tensor x = xt.detach().requiresGrad(true);
            Tensor[] pe = x0AndEps(x, t);                                                     // graph to x
            Tensor grad = Grad.gradient(guide.logPotential(x, pe[0], i).sum(), x);           // (B, C, H, W)
            Tensor[] guided = Grad.noGrad(() -> fromEps(xt, pe[1].detach().sub(grad.mul(scale * Math.sqrt(1 - schedule.alphaBar(t)))), t));
            return step(guided[0], guided[1], i);
        }

        /** The DDIM step from x0_hat and eps at reverse step i. */
        private Step step(Tensor x0, Tensor eps, int i) {
            int tPrev = tAfter(i);
            double sigma = ddimSigma(tAt(i), tPrev, cfg.eta());
            Tensor mean = Grad.noGrad(() -> ddimMean(x0, eps, tPrev, sigma));
            return new Step() {
                @Override
                public Tensor x0Hat() {
                    return x0;
                }

                @Override
                public Tensor sample(int k, Rng rng) {
                    return Grad.noGrad(() -> addNoise(Proposal.repeatRows(mean, k), sigma, rng));
                }
            };
        }

        /**
         * x0 draws by a short stochastic rollout: DDIM with eta = 1 from the states' noise level to clean data over at
         * most {@link #ROLLOUT_STEPS} of the remaining timesteps. Exact in the limit of many steps; a cheap,
         * honest draw (not the deterministic x0_hat) with a few.
         */
        @Override
        public Tensor sampleX0(Tensor x, int i, int draws, Rng rng) {
            Tensor rows = Proposal.repeatRows(x, draws);
            int tStart = tAfter(i);
            if (tStart < 0) return rows;
            int n = rolloutSteps(tStart);
            return Grad.noGrad(() -> {
                Tensor y = rows;
                for (int j = 0; j < n; j++) {
                    int t = (int) Math.round(tStart * (1.0 - (double) j / n));
                    int tPrev = j + 1 < n ? (int) Math.round(tStart * (1.0 - (double) (j + 1) / n)) : -1;
                    Tensor[] pe = x0AndEps(y, t);
                    double sigma = ddimSigma(t, tPrev, 1.0);
                    y = addNoise(ddimMean(pe[0], pe[1], tPrev, sigma), sigma, rng);
                }
                return y;
            });
        }

        private static int rolloutSteps(int tStart) {
            return tStart < 0 ? 0 : Math.min(ROLLOUT_STEPS, tStart + 1);
        }

        @Override
        public long sampleX0Passes(int i, int draws) {
            return (long) draws * rolloutSteps(tAfter(i));
        }
    }

    /** Denoiser passes per x0 draw of {@link Proposal#sampleX0} on the Gaussian process (at most). */
    public static final int ROLLOUT_STEPS = 3;
}
