package org.svdd.chem;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.data.SmilesDataset;
import org.svdd.tensor.Tensor;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token rows to SMILES to scores; invalid rows score the penalty. */
class MoleculeRewardTest {
    private static final SmilesDataset DS = SmilesDataset.of(List.of("CCO", "c1ccccc1", "C1CC", "OC(=O)c1ccccc1O"), List.of("a", "b", "c", "d"), 16);

    private static Tensor tokens(int... rowsThenIds) {
        long[] ids = new long[rowsThenIds.length];
        for (int i = 0; i < ids.length; i++) ids[i] = rowsThenIds[i];
        return Tensor.ofLongs(ids, ids.length / 16, 16);
    }

    private static Tensor rows() {
        int[] t = new int[4 * 16];
        System.arraycopy(DS.tokens(), 0, t, 0, t.length);
        return tokens(t);
    }

    @Test
    void decodesUpToTheFirstPad() {
        assertEquals(DS.smiles(), SmilesTokens.decode(rows(), DS.alphabet()));
        int[] t = DS.encode("CCO");
        t[4] = DS.encode("O")[0];                             // "CCO", PAD, "O": the string ends at the PAD
        assertEquals(List.of("CCO"), SmilesTokens.decode(tokens(t), DS.alphabet()));
        int[] mask = DS.encode("CC");
        mask[1] = DS.vocabSize();                             // the MASK id is not a character
        assertThrows(IllegalArgumentException.class, () -> SmilesTokens.decode(tokens(mask), DS.alphabet()));
    }

    @Test
    void scoresValidRowsAndPenalisesInvalidOnes() {
        double[] qed = new MoleculeReward(DS.alphabet(), MoleculeReward.Property.QED).score(rows());
        double[] logP = new MoleculeReward(DS.alphabet(), MoleculeReward.Property.LOGP, -10).score(rows());
        assertEquals(4, qed.length);
        for (int i : new int[]{0, 1, 3}) {
            assertTrue(qed[i] > 0 && qed[i] < 1, "QED of " + DS.smiles().get(i) + " = " + qed[i]);
            assertEquals(Qed.qed(Molecules.parse(DS.smiles().get(i))), qed[i], 0);
        }
        assertEquals(0, qed[2], 0);                           // C1CC: unclosed ring
        assertEquals(-10, logP[2], 0);
        // RDKit 2022.09: Crippen.MolLogP('CCO') = -0.0014, ('c1ccccc1') = 1.6866, QED('c1ccccc1') = 0.44262
        assertArrayEquals(new double[]{-0.0014, 1.6866}, new double[]{logP[0], logP[1]}, 1e-4);
        assertEquals(0.44262, qed[1], 1e-4);
    }

    @Test
    void saIsTurnedSoThatHigherIsEasierAndSumsAreWeighted() {
        double[] sa = new MoleculeReward(DS.alphabet(), MoleculeReward.Property.SA).score(rows());
        for (int i : new int[]{0, 1, 3}) assertEquals((10 - SaScore.score(Molecules.parse(DS.smiles().get(i)))) / 9, sa[i], 1e-12);
        assertEquals(0, sa[2], 0);                            // invalid: the worst score
        double[] qed = new MoleculeReward(DS.alphabet(), MoleculeReward.Property.QED).score(rows());
        double[] sum = new MoleculeReward(DS.alphabet(), List.of(new MoleculeReward.Term(MoleculeReward.Property.QED, 1),
                new MoleculeReward.Term(MoleculeReward.Property.SA, 0.5)), -1).score(rows());
        for (int i : new int[]{0, 1, 3}) assertEquals(qed[i] + 0.5 * sa[i], sum[i], 1e-12);
        assertEquals(-1, sum[2], 0);
    }

    @Test
    void emptyRowIsInvalid() {
        assertEquals(-1, new MoleculeReward(DS.alphabet(), MoleculeReward.Property.QED, -1).score(tokens(new int[16]))[0], 0);
    }
}
