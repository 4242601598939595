package org.svdd.chem;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Tensor;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samples to SMILES to scores; invalid molecules score the penalty. */
class MoleculeRewardTest {
    private static final List<String> SMILES = List.of("CCO", "c1ccccc1", "C1CC", "OC(=O)c1ccccc1O");

    /** Samples (B, 1) whose value is the index of their SMILES in {@link #SMILES}. */
    private static final Function<Tensor, List<String>> LOOKUP = x -> java.util.Arrays.stream(x.toLongArray()).mapToObj(i -> SMILES.get((int) i)).toList();

    private static Tensor rows() {
        return Tensor.ofLongs(new long[]{0, 1, 2, 3}, 4, 1);
    }

    @Test
    void scoresValidRowsAndPenalisesInvalidOnes() {
        double[] qed = new MoleculeReward(LOOKUP, MoleculeReward.Property.QED).score(rows());
        double[] logP = new MoleculeReward(LOOKUP, MoleculeReward.Property.LOGP, -10).score(rows());
        assertEquals(4, qed.length);
        for (int i : new int[]{0, 1, 3}) {
            assertTrue(qed[i] > 0 && qed[i] < 1, "QED of " + SMILES.get(i) + " = " + qed[i]);
            assertEquals(Qed.qed(Molecules.parse(SMILES.get(i))), qed[i], 0);
        }
        assertEquals(0, qed[2], 0);                           // C1CC: unclosed ring
        assertEquals(-10, logP[2], 0);
        // RDKit 2022.09: Crippen.MolLogP('CCO') = -0.0014, ('c1ccccc1') = 1.6866, QED('c1ccccc1') = 0.44262
        assertArrayEquals(new double[]{-0.0014, 1.6866}, new double[]{logP[0], logP[1]}, 1e-4);
        assertEquals(0.44262, qed[1], 1e-4);
    }

    /** Scores are remembered by SMILES: a repeated molecule, in any row of a later batch, scores what it scored first. */
    @Test
    void repeatedMoleculesScoreTheSameFromTheCache() {
        MoleculeReward reward = new MoleculeReward(LOOKUP, MoleculeReward.Property.QED);
        double[] first = reward.score(rows()), again = reward.score(Tensor.ofLongs(new long[]{3, 3, 2, 1, 0}, 5, 1));
        assertArrayEquals(new double[]{first[3], first[3], 0, first[1], first[0]}, again, 0);
    }

    /** The rows of a batch are scored on all cores, each with its thread's patterns: the scores of one row at a time. */
    @Test
    void aBatchScoresWhatEachMoleculeScoresAlone() {
        List<String> drugs = List.of("CC(=O)Oc1ccccc1C(=O)O", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C", "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
                "c1ccc2c(c1)cc[nH]2", "O=C(O)CCc1ccccc1", "CCN(CC)CC", "Clc1ccc(Cl)cc1", "NC(=O)c1cccnc1", "C1CCNCC1", "OCC(O)CO",
                "c1ccc(cc1)S(=O)(=O)N", "CC(=O)Nc1ccc(O)cc1", "CCOC(=O)C1=CC=CC=C1", "C#CC1=CC=CC=C1", "C1=CC=C(C=C1)[N+](=O)[O-]");
        Function<Tensor, List<String>> byIndex = x -> java.util.Arrays.stream(x.toLongArray()).mapToObj(i -> drugs.get((int) i)).toList();
        long[] rows = new long[96];
        for (int i = 0; i < rows.length; i++) rows[i] = (i * 7L) % drugs.size();
        for (MoleculeReward.Property p : MoleculeReward.Property.values()) {
            double[] batch = new MoleculeReward(byIndex, p, -10).score(Tensor.ofLongs(rows, rows.length, 1));
            MoleculeReward alone = new MoleculeReward(byIndex, p, -10);
            for (int i = 0; i < rows.length; i++) assertEquals(alone.score(drugs.get((int) rows[i])), batch[i], 0, p + " row " + i);
        }
    }

    @Test
    void saIsTurnedSoThatHigherIsEasierAndSumsAreWeighted() {
        double[] sa = new MoleculeReward(LOOKUP, MoleculeReward.Property.SA).score(rows());
        for (int i : new int[]{0, 1, 3}) assertEquals((10 - SaScore.score(Molecules.parse(SMILES.get(i)))) / 9, sa[i], 1e-12);
        assertEquals(0, sa[2], 0);                            // invalid: the worst score
        double[] qed = new MoleculeReward(LOOKUP, MoleculeReward.Property.QED).score(rows());
        double[] sum = new MoleculeReward(LOOKUP, List.of(new MoleculeReward.Term(MoleculeReward.Property.QED, 1),
                new MoleculeReward.Term(MoleculeReward.Property.SA, 0.5)), -1).score(rows());
        for (int i : new int[]{0, 1, 3}) assertEquals(qed[i] + 0.5 * sa[i], sum[i], 1e-12);
        assertEquals(-1, sum[2], 0);
    }

    @Test
    void decodedSelfiesRowsAreAlwaysScored() {
        SelfiesAlphabet a = SelfiesAlphabet.of(List.of(Selfies.encode("OC(=O)c1ccccc1O"), Selfies.encode("CCO")));
        Function<Tensor, List<String>> selfies = x -> {
            long[] ids = x.toLongArray();
            int l = x.dim(1);
            return java.util.stream.IntStream.range(0, x.dim(0)).mapToObj(r -> Selfies.decode(ids, r * l, l, a.symbols())).toList();
        };
        long[] anyIds = new long[3 * 12];
        for (int i = 0; i < anyIds.length; i++) anyIds[i] = (i * 7 + i / 5) % a.size();   // arbitrary symbols, [nop] among them
        double[] qed = new MoleculeReward(selfies, MoleculeReward.Property.QED, -1).score(Tensor.ofLongs(anyIds, 3, 12));
        for (double q : qed) assertTrue(q > 0 && q < 1, "every row of SELFIES symbols is a molecule: " + java.util.Arrays.toString(qed));
        assertThrows(IllegalArgumentException.class, () -> selfies.apply(Tensor.ofLongs(new long[]{a.size()}, 1, 1)), "the MASK id is no symbol");
    }

    @Test
    void emptyMoleculeIsInvalid() {
        assertEquals(-1, new MoleculeReward(x -> List.of(""), MoleculeReward.Property.QED, -1).score(rows())[0], 0);
    }
}
