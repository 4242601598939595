package org.svdd.app;

import org.openscience.cdk.interfaces.IAtomContainer;
import org.svdd.chem.Crippen;
import org.svdd.chem.Molecules;
import org.svdd.chem.Qed;
import org.svdd.chem.SaScore;
import org.svdd.chem.SelfiesDataset;
import org.svdd.diffusion.data.SmilesFile;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Progress;
import org.svdd.eval.Wasserstein;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Quality of a molecule model: of n samples, the fraction that are valid molecules (CDK, {@link Molecules}), the
 * fraction of the valid ones that are distinct, the fraction of those that are not in the training split (novel), all
 * by canonical SMILES; the QED, Crippen logP and SA score of the valid ones, as means and as the 1-Wasserstein distance
 * to the held-out WEHI molecules. n training molecules drawn at random give the distances that sampling noise alone
 * makes: the floor a perfect model would reach.
 */
final class MoleculeEval {
    private MoleculeEval() {
    }

    /** The statistics of a list of SMILES: counts, and the properties of the valid ones. */
    record Stats(int count, int valid, int unique, int novel, double[] qed, double[] logP, double[] sa) {
        static Stats of(List<String> smiles, Set<String> training) {
            Set<String> distinct = new HashSet<>();
            int novel = 0;
            List<double[]> props = new ArrayList<>();
            for (String s : smiles) {
                IAtomContainer mol = Molecules.parse(s);
                if (mol == null) continue;
                props.add(new double[]{Qed.qed(mol), Crippen.logP(mol), SaScore.score(mol)});
                String c = Molecules.canonical(mol);                       // the parsed molecule, not the string again
                if (distinct.add(c) && !training.contains(c)) novel++;
            }
            return new Stats(smiles.size(), props.size(), distinct.size(), novel, column(props, 0), column(props, 1), column(props, 2));
        }

        private static double[] column(List<double[]> rows, int c) {
            return rows.stream().mapToDouble(r -> r[c]).toArray();
        }

        String row(String name, Stats ref) {
            return String.format("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |", name, count, (double) valid / count,
                    (double) unique / valid, (double) novel / unique, mean(qed), mean(logP), mean(sa),
                    Wasserstein.distance(qed, ref.qed), Wasserstein.distance(logP, ref.logP), Wasserstein.distance(sa, ref.sa));
        }

        private static double mean(double[] v) {
            return java.util.Arrays.stream(v).average().orElse(Double.NaN);
        }
    }

    static void run(DiffusionModel.Sequences model, int n, int steps, long seed, PrintStream out) throws IOException {
        SelfiesDataset.Split split = SelfiesDataset.wehi(TrainCommand.required(SmilesFile.locateWehi(), "WEHI SMILES"));
        if (!split.train().vocabulary().equals(model.vocabulary())) out.println("note: the model's SELFIES symbols differ from the WEHI set's");
        Function<org.svdd.tensor.Tensor, List<String>> smiles = Task.texts(model);
        Proposal p = model.proposal(steps);
        Rng rng = new Rng(seed);
        List<String> samples = new ArrayList<>(n);
        long t0 = System.nanoTime();
        Progress bar = new Progress(out, "sampled", 0, n);
        for (int done = 0; done < n; done += 64) {
            int b = Math.min(64, n - done);
            samples.addAll(smiles.apply(Grad.noGrad(() -> Proposal.sample(p, b, rng))));
            bar.update(done + b, "");
        }
        out.printf("sampled in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Set<String> training = new HashSet<>();
        for (String s : split.train().smiles()) training.add(Molecules.canonical(s));
        List<String> drawn = new ArrayList<>(n);
        Rng pick = new Rng(seed + 1);
        for (int i = 0; i < n; i++) drawn.add(split.train().smiles().get(pick.nextInt(split.train().count())));
        Stats ref = Stats.of(split.validation().smiles(), training);
        out.printf("%d samples, %d reverse steps, seed %d; reference: the %d held-out WEHI molecules; W1 = Wasserstein-1 distance to them%n",
                n, steps, seed, split.validation().count());
        out.println("| set | n | valid | unique (of valid) | novel (of unique) | mean QED | mean logP | mean SA | W1 QED | W1 logP | W1 SA |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        out.println(Stats.of(samples, training).row("samples", ref));
        out.println(Stats.of(drawn, training).row(n + " training molecules (noise floor)", ref));
        out.println(ref.row("held-out WEHI", ref));
        out.println("examples: " + String.join("  ", samples.subList(0, Math.min(8, samples.size()))));
    }
}
