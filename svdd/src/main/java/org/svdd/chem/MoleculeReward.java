package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtomContainer;
import org.svdd.core.Reward;
import org.svdd.tensor.Tensor;

import java.util.List;

/**
 * A chemistry reward on SMILES samples: token ids (B, L) are decoded with the model's alphabet ({@link SmilesTokens}),
 * parsed by CDK ({@link Molecules#parse}) and scored by a molecular property; a string that is not a valid molecule
 * scores {@code invalidScore} (0 by default, the lower end of QED; pass a value below the property's range to make
 * invalid strings strictly worse, e.g. -10 for logP).
 */
public final class MoleculeReward implements Reward {
    /** The property a valid molecule scores. */
    public enum Property {
        /** {@link Qed#qed}, in (0, 1). */
        QED,
        /** {@link Crippen#logP}, roughly -5 .. 10 for drug-like molecules. */
        LOGP;

        double of(IAtomContainer mol) {
            return switch (this) {
                case QED -> Qed.qed(mol);
                case LOGP -> Crippen.logP(mol);
            };
        }
    }

    private final String alphabet;
    private final Property property;
    private final double invalidScore;

    /**
     * @param alphabet     the model's characters: token 1 + i is {@code alphabet.charAt(i)} (token 0 is PAD)
     * @param property     what a valid molecule scores
     * @param invalidScore the score of a string that is not a valid molecule
     */
    public MoleculeReward(String alphabet, Property property, double invalidScore) {
        if (alphabet.isEmpty()) throw new IllegalArgumentException("empty alphabet");
        if (!Double.isFinite(invalidScore)) throw new IllegalArgumentException("invalid-molecule score must be finite, got " + invalidScore);
        this.alphabet = alphabet;
        this.property = property;
        this.invalidScore = invalidScore;
        Crippen.standard();   // without Crippen.txt, fail here rather than mid-sampling
    }

    /** Invalid strings score 0. */
    public MoleculeReward(String alphabet, Property property) {
        this(alphabet, property, 0);
    }

    public Property property() {
        return property;
    }

    /** One score per row of x0 (B, L) token ids. */
    @Override
    public double[] score(Tensor x0) {
        List<String> smiles = SmilesTokens.decode(x0, alphabet);
        double[] r = new double[smiles.size()];
        for (int i = 0; i < r.length; i++) r[i] = score(smiles.get(i));
        return r;
    }

    /** The score of one SMILES string. */
    public double score(String smiles) {
        IAtomContainer mol = Molecules.parse(smiles);
        return mol == null ? invalidScore : property.of(mol);
    }

    /** The fraction of the strings that are valid molecules ({@link Molecules#validFraction}). */
    public static double validFraction(List<String> smiles) {
        return Molecules.validFraction(smiles);
    }
}
