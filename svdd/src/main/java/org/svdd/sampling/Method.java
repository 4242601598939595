package org.svdd.sampling;

import org.svdd.diffusion.process.Proposal;
import org.svdd.reward.Reward;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The sampling methods users ask for by name, each a composition of the parts in this package. {@link #run} draws
 * n samples with one budget knob M (candidates per step), so methods can be compared at matched denoiser cost. svdd-pm
 * spends 1 + M (S - 1) denoiser rows per output sample over S steps (the kept candidate's x0-prediction pass is the
 * next step's pass, and clean candidates after the last step need none); nested-is spends the same; smc and
 * fk-steering run as many particles per output as brings their S rows each closest to that; beam W beams with M'
 * candidates per state, M' chosen likewise (at least 2). best-of-n keeps the best of N = M samples: M S rows.
 */
public enum Method {
    PRETRAINED("the pre-trained sampler"),
    BEST_OF_N("N = M pre-trained samples, the best kept"),
    SVDD_PM("SVDD, value = reward of the denoiser's x0 prediction"),
    SVDD_MC("SVDD, value = learned value network (train-value)"),
    SVDD_RAW("SVDD, value = reward of the noisy state itself"),
    SVDD_SOFT("SVDD, value = Monte-Carlo soft value over x0 draws"),
    SMC("sequential Monte Carlo: pre-trained proposal, reward-difference weights, resampling"),
    FK_STEERING("Feynman-Kac steering: potential on x0-prediction rewards, resampling every k steps"),
    NESTED_IS("nested importance sampling: M candidates per particle, then global resampling"),
    BEAM("beam search over candidates with a width schedule"),
    DPS("diffusion posterior sampling: gradient of a differentiable reward of x0_hat"),
    CLASSIFIER_GUIDANCE("gradient of the SVDD-MC value network");

    public final String description;

    Method(String description) {
        this.description = description;
    }

    /** The command-line name: svdd-pm, best-of-n, ... */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Method parse(String name) {
        for (Method m : values()) if (m.cliName().equals(name.trim())) return m;
        throw new IllegalArgumentException("unknown method '" + name + "'; known: "
                + Arrays.stream(values()).map(Method::cliName).collect(Collectors.joining(", ")));
    }

    /** Whether the method needs a value network (train-value). */
    public boolean needsValueNet() {
        return this == SVDD_MC || this == CLASSIFIER_GUIDANCE;
    }

    /**
     * Every setting a method can read; each has a default in {@link #defaults}.
     *
     * @param m             candidates per step (the budget knob)
     * @param alpha         SVDD selection temperature (0 = argmax)
     * @param particleAlpha temperature of the particle methods' weights exp(v / alpha) (> 0)
     * @param guidance      gradient-guidance strength (DPS, classifier guidance)
     * @param mcDraws       x0 draws of the Monte-Carlo soft value
     * @param potential     FK-steering potential
     * @param fkEvery       FK-steering's resampling interval: its potentials apply every fkEvery steps
     * @param resampling    the resampling of every particle method (smc, fk-steering, nested-is): scheme, window and
     *                      ESS threshold; its interval is smc's and nested-is's (fk-steering's is fkEvery)
     * @param beamWidths    beam widths
     */
    public record Settings(int m, double alpha, double particleAlpha, double guidance, int mcDraws,
                           Particles.Potential potential, int fkEvery, Resampling resampling, Samplers.BeamWidths beamWidths)
            implements java.io.Serializable {
        public Settings {
            if (m < 1) throw new IllegalArgumentException("-M must be >= 1, got " + m);
            if (!(alpha >= 0)) throw new IllegalArgumentException("--alpha must be >= 0, got " + alpha);
            if (!(particleAlpha > 0)) throw new IllegalArgumentException("--particle-alpha must be > 0, got " + particleAlpha);
            if (!(guidance >= 0)) throw new IllegalArgumentException("--guidance must be >= 0, got " + guidance);
            if (mcDraws < 1) throw new IllegalArgumentException("--mc-draws must be >= 1, got " + mcDraws);
            if (fkEvery < 1) throw new IllegalArgumentException("--fk-every must be >= 1, got " + fkEvery);
        }

        public static Settings defaults(int m) {
            return new Settings(m, 0, 0.1, 1.0, 4, Particles.Potential.MAX, 5, Resampling.everyStep(),
                    new Samplers.BeamWidths(2, 2));
        }

        public Settings withM(int newM) {
            return new Settings(newM, alpha, particleAlpha, guidance, mcDraws, potential, fkEvery, resampling, beamWidths);
        }
    }

    /** What a method runs on: the (cost-counted) proposal and reward, an optional value net, and the cost counter. */
    public record Context(Proposal proposal, Reward reward, ValueNet valueNet, Reward.Differentiable differentiable, Cost cost) {
        public static Context of(Proposal p, Reward r, ValueNet net, Reward.Differentiable diff) {
            Cost cost = new Cost();
            return new Context(cost.count(p), cost.count(r), net, diff == null ? null : (Reward.Differentiable) cost.count(diff), cost);
        }
    }

    /**
     * One sample per stream of {@code rng} ({@link Rng#streams}): (n, ...) for n streams. Every method but the
     * particle methods draws sample j from stream j alone, so its samples do not depend on how they are batched. The
     * particle methods (smc, fk-steering, nested-is) run the n samples as one population whose resampling draws come
     * from the first sample's stream: another split of the samples is another set of populations. Gradient methods
     * record graphs; all others run without.
     */
    public Tensor run(Context c, Settings s, Rng rng) {
        Proposal p = c.proposal();
        int n = rng.count();
        Rng population = rng.stream(0);
        int m = s.m();
        long budget = svddPmRows(p, m);
        int particles = closest(budget, svddPmRows(p, 1));
        return switch (this) {
            case PRETRAINED -> org.svdd.tensor.Grad.noGrad(() -> Proposal.sample(p, n, rng));
            case BEST_OF_N -> Samplers.bestOfN(p, c.reward(), n, m, rng);
            case SVDD_PM -> Samplers.svdd(p, ValueEstimator.posteriorMean(p, c.reward()), new Selection(s.alpha()), n, m, rng);
            case SVDD_MC -> Samplers.svdd(p, ValueEstimator.learned(p, requireNet(c), c.cost()), new Selection(s.alpha()), n, m, rng);
            case SVDD_RAW -> Samplers.svdd(p, ValueEstimator.rawReward(c.reward()), new Selection(s.alpha()), n, m, rng);
            case SVDD_SOFT -> Samplers.svdd(p, ValueEstimator.monteCarlo(p, c.reward(), s.mcDraws(), s.alpha(), rng), new Selection(s.alpha()), n, m, rng);
            case SMC -> first(Particles.smc(s.particleAlpha(), s.resampling())
                    .sample(p, ValueEstimator.posteriorMean(p, c.reward()), n * particles, population), n);
            case FK_STEERING -> first(Particles.fkSteering(s.potential(), s.particleAlpha(), s.resampling().withEvery(s.fkEvery()))
                    .sample(p, ValueEstimator.posteriorMean(p, c.reward()), n * particles, population), n);
            case NESTED_IS -> Particles.nestedIs(s.particleAlpha(), m, s.resampling())
                    .sample(p, ValueEstimator.posteriorMean(p, c.reward()), n, population);
            case BEAM -> Samplers.beam(p, ValueEstimator.posteriorMean(p, c.reward()), s.beamWidths(), n,
                    beamCandidates(p, s.beamWidths(), budget, m), rng);
            case DPS -> {
                if (c.differentiable() == null) throw new IllegalArgumentException("dps needs a differentiable reward or a value network to stand in for it (--value-net)");
                yield Samplers.guided(p, Guides.dps(c.differentiable()), s.guidance(), n, rng);
            }
            case CLASSIFIER_GUIDANCE -> Samplers.guided(p, Guides.valueGradient(p, requireNet(c), c.cost()), s.guidance(), n, rng);
        };
    }

    /**
     * Denoiser rows per sample of svdd-pm with M candidates on p: one pass at the prior, then M per step whose
     * candidates still need an x0 prediction (each also serves as the next step's pass). With M = 1 this is the
     * pre-trained sampler's S, and the cost of one particle of smc or fk-steering.
     */
    static long svddPmRows(Proposal p, int m) {
        long rows = 1;
        for (int i = 0; i < p.steps(); i++) rows += m * p.predictPasses(i);
        return rows;
    }

    /** The count k >= 1 of units costing {@code unit} rows each whose total k · unit is closest to {@code budget}. */
    static int closest(long budget, long unit) {
        return (int) Math.max(1, Math.round((double) budget / unit));
    }

    /**
     * Beam search's candidates per state M' (at least 2, or there is nothing to choose): each beam spends W_0 rows at
     * the prior and M' W_i per step i with noisy candidates, so M' brings that closest to svdd-pm's budget.
     */
    static int beamCandidates(Proposal p, Samplers.BeamWidths widths, long budget, int m) {
        long perCandidate = 0;
        for (int i = 0; i < p.steps(); i++) perCandidate += widths.at(i, p.steps()) * p.predictPasses(i);
        if (perCandidate == 0) return Math.max(2, m);
        return Math.max(2, closest(budget - widths.at(0, p.steps()), perCandidate));
    }

    private ValueNet requireNet(Context c) {
        if (c.valueNet() == null) throw new IllegalArgumentException(cliName() + " needs a value network: pass --value-net (train one with `svdd train-value`)");
        return c.valueNet();
    }

    /** The first n rows (particles after the final resampling are exchangeable, so this is a fair draw). */
    private static Tensor first(Tensor x, int n) {
        return x.dim(0) == n ? x : x.slice(0, 0, n).contiguous();
    }
}
