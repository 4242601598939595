package org.svdd.app;

import org.openscience.cdk.interfaces.IAtomContainer;
import org.svdd.chem.Crippen;
import org.svdd.chem.Molecules;
import org.svdd.chem.Qed;
import org.svdd.chem.SmilesTokens;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.Progress;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Quality of a SMILES model: of n samples, the fraction that are valid molecules (CDK, {@link Molecules}), the fraction
 * of the valid ones that are distinct, the fraction of those that are not in the training split (novel), and the mean
 * QED and Crippen logP of the valid ones; the same statistics for the held-out WEHI SMILES as the reference.
 */
final class SmilesEval {
    private SmilesEval() {
    }

    /** Statistics of a list of SMILES: counts, then means over the valid molecules (NaN when none is valid). */
    record Stats(int count, int valid, int unique, int novel, double meanQed, double meanLogP) {
        static Stats of(List<String> smiles, Set<String> training) {
            Set<String> distinct = new HashSet<>();
            int valid = 0, novel = 0;
            double qed = 0, logP = 0;
            for (String s : smiles) {
                IAtomContainer mol = Molecules.parse(s);
                if (mol == null) continue;
                valid++;
                qed += Qed.qed(mol);
                logP += Crippen.logP(mol);
                if (distinct.add(s) && !training.contains(s)) novel++;
            }
            return new Stats(smiles.size(), valid, distinct.size(), novel, qed / valid, logP / valid);
        }

        String row(String name) {
            return String.format("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |", name, count, (double) valid / count,
                    (double) unique / valid, (double) novel / unique, meanQed, meanLogP);
        }
    }

    static void run(DiffusionModel.Smiles model, int n, int steps, long seed, PrintStream out) throws IOException {
        TrainCommand.SmilesSplit split = TrainCommand.SmilesSplit.wehi();
        if (!split.train().alphabet().equals(model.alphabet())) {
            out.printf("note: the model's alphabet '%s' differs from the WEHI set's '%s'%n", model.alphabet(), split.train().alphabet());
        }
        Proposal p = model.proposal(steps);
        Rng rng = new Rng(seed);
        List<String> samples = new ArrayList<>(n);
        long t0 = System.nanoTime();
        Progress bar = new Progress(out, "sampled", 0, n);
        for (int done = 0; done < n; done += 64) {
            int b = Math.min(64, n - done);
            samples.addAll(SmilesTokens.decode(Grad.noGrad(() -> Proposal.sample(p, b, rng)), model.alphabet()));
            bar.update(done + b, "");
        }
        out.printf("sampled in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Set<String> training = new HashSet<>(split.train().smiles());
        out.printf("%d samples, %d reverse steps, seed %d; reference: the %d held-out WEHI SMILES%n", n, steps, seed, split.validation().count());
        out.println("| set | n | valid | unique (of valid) | novel (of unique) | mean QED (valid) | mean logP (valid) |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        out.println(Stats.of(samples, training).row("samples"));
        out.println(Stats.of(split.validation().smiles(), training).row("held-out WEHI"));
        out.println("examples: " + String.join("  ", samples.subList(0, Math.min(8, samples.size()))));
    }
}
