package org.svdd.app;

import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.TrnaDataset;
import org.svdd.eval.Bootstrap;
import org.svdd.reward.InfernalReward;
import org.svdd.diffusion.data.Vocabulary;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Progress;
import org.svdd.eval.KmerStats;
import org.svdd.eval.MarkovChain;
import org.svdd.eval.NeighbourContext;
import org.svdd.tensor.Backends;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Quality of a DNA model: k-mer (k = 3..6) frequency correlation between its samples and the held-out promoter
 * windows, and its validation loss (the masked-diffusion bound, nats per base) beside the unigram baseline; as
 * yardsticks, the same numbers for n real training windows and for order-1/3/5 {@link MarkovChain}s; and the loss of a
 * masked letter by mask rate beside counted {@link NeighbourContext} models. Image
 * models go to {@link ImageEval} (classifier confidence of the samples).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a DNA model: k-mer correlation with held-out promoters and validation loss. "
        + "Or an image model: how many samples a Fashion-MNIST classifier recognises with p > 0.9, and over which classes.")
final class EvalCommand implements Callable<Integer> {
    /** Orders of the Markov-chain yardsticks printed for DNA models. */
    private static final List<Integer> MARKOV_ORDERS = List.of(1, 3, 5);

    @Option(names = "--checkpoint", required = true, description = "A DNA transformer or Fashion UNet checkpoint.")
    java.nio.file.Path checkpoint;

    @Option(names = "-n", defaultValue = "256", description = "Samples to generate. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--steps", description = "Reverse steps (default: 128 for DNA, 50 for images).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--eta", description = "Image models: DDIM eta, from 0 (deterministic) to 1 (the paper's setting, the default).")
    Double eta;

    @Option(names = "--classifier", description = "Image models: the classifier (svdd train-classifier) that judges the samples. "
            + "Default: " + RewardSpec.DEFAULT_CLASSIFIER + " of the installation.")
    java.nio.file.Path classifier;

    @Override
    public Integer call() throws Exception {
        Usage.atLeast(n, 1, "-n");
        if (steps != null) Usage.atLeast(steps, 1, "--steps");
        Usage.require(eta == null || (eta >= 0 && eta <= 1), "--eta must be in [0, 1], got " + eta);
        Usage.inputFile(checkpoint, "--checkpoint");
        if (classifier != null) Usage.inputFile(classifier, "--classifier");
        DiffusionModel model = DiffusionModel.load(checkpoint, Backends.current());
        if (model instanceof DiffusionModel.Images images) {
            java.nio.file.Path judge = classifier != null ? classifier : Usage.inputFile(Usage.installed(RewardSpec.DEFAULT_CLASSIFIER), "the default classifier");
            ImageEval.run(images, judge, n, steps != null ? steps : model.defaultSteps(), eta != null ? eta : org.svdd.diffusion.process.GaussianProcess.SamplerConfig.defaults().eta(), seed, System.out);
            return 0;
        }
        Usage.require(eta == null, "--eta applies to image models; " + checkpoint + " is a model of " + model.samples());
        DiffusionModel.Sequences seq = (DiffusionModel.Sequences) model;
        if (seq.vocabulary().notation() == Vocabulary.Notation.SELFIES) {   // validity, uniqueness, novelty, QED, logP, SA vs held-out WEHI
            MoleculeEval.run(seq, n, steps != null ? steps : model.defaultSteps(), seed, System.out);
            return 0;
        }
        int l = seq.net().config().length();
        boolean rna = seq.vocabulary().notation() == Vocabulary.Notation.RNA;
        Rows train, val;
        if (rna) {
            TrnaDataset.Split split = TrnaDataset.read(TrainCommand.required(TrnaDataset.locate(), "the tRNA alignment (Debian infernal)"), l, 0.1, 0);
            train = new Rows(split.train().tokens(), split.train().count());
            val = new Rows(split.validation().tokens(), split.validation().count());
        } else {
            DnaDataset.Split split = DnaDataset.promoters(TrainCommand.required(DnaDataset.locateDmUpstream(), "fly promoters"), l, 0.1, 0);
            train = new Rows(split.train().tokens(), split.train().count());
            val = new Rows(split.validation().tokens(), split.validation().count());
            if (train.count() == 0 || val.count() == 0)   // found before sampling, not after
                throw new IllegalStateException(DnaDataset.locateDmUpstream() + " has no usable " + l + "-base promoter window for the "
                        + (train.count() == 0 ? "training" : "held-out") + " set (sequences shorter than " + l + " bases or with letters other than ACGT are skipped)");
        }
        int letters = seq.vocabulary().size();                                   // DNA: A, C, G, T; RNA: A, C, G, U and PAD
        Proposal p = model.proposal(steps != null ? steps : model.defaultSteps());
        Rng rng = new Rng(seed);
        int[] gen = new int[n * l];
        Progress bar = new Progress(System.out, "sampled", 0, n);
        for (int done = 0; done < n; done += 64) {
            int b = Math.min(64, n - done);
            int[] t = Grad.noGrad(() -> Proposal.sample(p, b, rng)).toIntArray();
            System.arraycopy(t, 0, gen, done * l, t.length);
            bar.update(done + b, "");
        }
        // yardsticks at this n: n real training windows (the ceiling: sampling noise of n x L bases) and n windows drawn
        // from order-m Markov chains fitted to the training windows
        int[] real = new int[n * l];
        Rng pick = new Rng(seed + 1);
        for (int r = 0; r < n; r++) System.arraycopy(train.tokens(), pick.nextInt(train.count()) * l, real, r * l, l);
        List<MarkovChain> chains = MARKOV_ORDERS.stream().map(m -> MarkovChain.fit(train.tokens(), train.count(), l, m, letters)).toList();
        List<int[]> markov = chains.stream().map(c -> c.sample(n, l, new Rng(seed + 2))).toList();
        System.out.printf("k-mer correlation with %d held-out %s, %d sequences each:%n", val.count(), rna ? "tRNAs (k-mers inside the sequences)" : "windows", n);
        System.out.printf("  %-4s %8s %8s", "k", "model", "real");
        for (MarkovChain c : chains) System.out.printf(" %8s", "markov-" + c.order());
        System.out.println();
        for (int k = 3; k <= 6; k++) {
            double[] ref = KmerStats.frequencies(val.tokens(), val.count(), l, k);
            System.out.printf("  k=%-2d %8.4f %8.4f", k, KmerStats.pearson(KmerStats.frequencies(gen, n, l, k), ref),
                    KmerStats.pearson(KmerStats.frequencies(real, n, l, k), ref));
            for (int[] m : markov) System.out.printf(" %8.4f", KmerStats.pearson(KmerStats.frequencies(m, n, l, k), ref));
            System.out.println();
        }
        // validation loss: the masked-diffusion bound on 512 held-out windows, averaged over 4 draws of t
        int rows = Math.min(512, val.count());
        long[] ids = Arrays.stream(Arrays.copyOf(val.tokens(), rows * l)).asLongStream().toArray();
        Tensor x0 = seq.net().backend().upload(HostStorage.of(ids), rows, l);
        double loss = 0;
        for (int rep = 0; rep < 4; rep++) {
            Rng r = new Rng(seed + 100 + rep);
            loss += Grad.noGrad(() -> seq.process().loss(seq.net(), x0, r)).item() / 4;
        }
        double[] base = new double[letters];
        for (int t : val.tokens()) base[t]++;
        double unigram = 0;
        for (double c : base) if (c > 0) unigram -= c / val.tokens().length * Math.log(c / val.tokens().length);
        String unit = rna ? "nats/token (PAD included)" : "nats/base";
        System.out.printf("validation loss (masked-diffusion bound): %.4f %s; unigram baseline: %.4f (uniform: %.4f)%n",
                loss, unit, unigram, Math.log(letters));
        for (MarkovChain c : chains)
            System.out.printf("  order-%d Markov chain, exact held-out log-loss: %.4f %s%n", c.order(), c.nll(val.tokens(), val.count(), l), unit);
        maskedLossByRate(seq, x0, seed);
        if (rna) infernalCheck(seq, gen, val, n, l);
        if (!rna)   // NeighbourContext counts DNA letters only
            for (int c = 1; c <= 3; c++)
                System.out.printf("  counted from %d neighbours on each side (NeighbourContext): %.4f nats/base%n", c, NeighbourContext.fit(train.tokens(), train.count(), l, c).nll(val.tokens(), val.count(), l));
        return 0;
    }

    /** Where Infernal is installed: the tRNA model's bit scores of the samples and of the held-out tRNAs, and the share it calls tRNAs. */
    private static void infernalCheck(DiffusionModel.Sequences seq, int[] gen, Rows val, int n, int l) {
        String missing = DemoCommand.infernalMissing();
        if (missing != null) {
            System.out.println("Infernal check skipped: " + missing);
            return;
        }
        InfernalReward cm = new InfernalReward(TrnaDataset.locateCm(), x -> List.of(), 600_000);
        System.out.printf("Infernal's tRNA model (%s), bit score of each sequence's best hit; called = E-value <= %s:%n", TrnaDataset.locateCm(), Task.FAMILY_EVALUE);
        for (Rows rows : List.of(new Rows(gen, n), val)) {
            List<String> texts = new java.util.ArrayList<>(rows.count());
            long[] ids = Arrays.stream(rows.tokens()).asLongStream().toArray();
            for (int r = 0; r < rows.count(); r++) texts.add(seq.vocabulary().text(ids, r * l, l));
            List<InfernalReward.Hit> hits = cm.hits(texts);
            double[] bits = hits.stream().mapToDouble(InfernalReward.Hit::bits).toArray();
            System.out.printf("  %-18s mean %.1f bits, median %.1f, called %.3f%n", rows == val ? "held-out tRNAs" : "samples",
                    Arrays.stream(bits).average().orElse(Double.NaN), Bootstrap.quantile(bits, .5),
                    hits.stream().filter(h -> h.evalue() <= Task.FAMILY_EVALUE).count() / (double) hits.size());
        }
    }

    /** Token rows (count, L) of a data set. */
    private record Rows(int[] tokens, int count) {
    }

    /**
     * The unweighted cross-entropy of the masked letters of x0 at a few mask rates. At a low rate the model sees nearly
     * every neighbour of a masked letter: there the counted {@link NeighbourContext} models are the bar for the local
     * statistics it has learnt (which is what the k-mer correlation of its samples measures).
     */
    private static void maskedLossByRate(DiffusionModel.Sequences seq, Tensor x0, long seed) {
        int rows = x0.dim(0), l = x0.dim(1);
        MaskedProcess p = seq.process();
        System.out.println("held-out loss of a masked letter by mask rate, nats/base:");
        for (double t : new double[]{0.02, 0.1, 0.3, 0.5, 0.7, 0.9}) {
            double[] ts = new double[rows];
            Arrays.fill(ts, t);
            float[] tf = new float[rows];
            Arrays.fill(tf, (float) t);
            Tensor xt = p.qSample(x0, ts, new Rng(seed + 200));
            double[] sums = Grad.noGrad(() -> {
                Tensor logits = seq.net().logits(xt, xt.backend().upload(HostStorage.of(tf), rows));                                      // (B, L, V)
                Tensor nll = F.crossEntropy(logits.reshape(rows * l, p.vocab()), x0.reshape(rows * l)).reshape(rows, l);
                Tensor masked = p.maskIndicator(xt);
                return new double[]{nll.mul(masked).sum().item(), masked.sum().item()};
            });
            System.out.printf("  mask rate %.2f: %.4f%n", p.schedule().maskProb(t), sums[0] / sums[1]);
        }
    }
}
