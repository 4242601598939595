package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtomContainer;
import org.svdd.reward.Reward;
import org.svdd.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A chemistry reward on molecule samples: the samples are read as SMILES (a SELFIES model's tokens decoded, say),
 * parsed by CDK ({@link Molecules#parse}) and scored by a weighted sum of molecular properties (one property with
 * weight 1 in the common case); a string that is not a valid molecule scores {@code invalidScore} (0 by default, the
 * lower end of QED and SA; pass a value below the properties' range to make invalid strings strictly worse, e.g. -10
 * for logP). The rows of a batch are scored on all cores. Scores are remembered by SMILES (the last {@value #CACHED}
 * distinct strings): late in a reverse process most candidates' predicted molecules repeat, and parsing and scoring
 * one costs far more than a lookup.
 */
public final class MoleculeReward implements Reward {
    /** The property a valid molecule scores. */
    public enum Property {
        /** {@link Qed#qed}, in (0, 1). */
        QED,
        /** {@link Crippen#logP}, roughly -5 .. 10 for drug-like molecules. */
        LOGP,
        /**
         * Synthetic accessibility turned so that higher is better: (10 - SA) / 9 in [0, 1], where SA is
         * {@link SaScore#score} (1 easy .. 10 hard); SA 1 scores 1, SA 10 scores 0.
         */
        SA;

        double of(IAtomContainer mol) {
            return switch (this) {
                case QED -> Qed.qed(mol);
                case LOGP -> Crippen.logP(mol);
                case SA -> (10 - SaScore.score(mol)) / 9;
            };
        }
    }

    /** One term of the reward: weight x property. */
    public record Term(Property property, double weight) {
        public Term {
            if (!Double.isFinite(weight)) throw new IllegalArgumentException("the weight of " + property + " must be finite, got " + weight);
        }
    }

    static final int CACHED = 1 << 16;
    private final Function<Tensor, List<String>> smilesOf;
    private final List<Term> terms;
    private final double invalidScore;
    private final Map<String, Double> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
            return size() > CACHED;
        }
    };

    /**
     * @param smilesOf     the SMILES of each sample of a batch
     * @param terms        what a valid molecule scores: the sum of weight x property
     * @param invalidScore the score of a string that is not a valid molecule
     */
    public MoleculeReward(Function<Tensor, List<String>> smilesOf, List<Term> terms, double invalidScore) {
        if (terms.isEmpty()) throw new IllegalArgumentException("a molecule reward needs at least one property");
        if (!Double.isFinite(invalidScore)) throw new IllegalArgumentException("invalid-molecule score must be finite, got " + invalidScore);
        this.smilesOf = smilesOf;
        this.terms = List.copyOf(terms);
        this.invalidScore = invalidScore;
        // without the parameter files, fail here rather than mid-sampling
        if (uses(Property.LOGP)) Crippen.standard();
        if (uses(Property.SA)) SaScore.contribution(0);
    }

    /** One property with weight 1. */
    public MoleculeReward(Function<Tensor, List<String>> smilesOf, Property property, double invalidScore) {
        this(smilesOf, List.of(new Term(property, 1)), invalidScore);
    }

    /** One property with weight 1; invalid strings score 0. */
    public MoleculeReward(Function<Tensor, List<String>> smilesOf, Property property) {
        this(smilesOf, property, 0);
    }

    private boolean uses(Property p) {
        return terms.stream().anyMatch(t -> t.property() == p);
    }

    /** One score per sample of x0. */
    @Override
    public double[] score(Tensor x0) {
        List<String> smiles = smilesOf.apply(x0);
        double[] r = new double[smiles.size()];
        IntStream.range(0, r.length).parallel().forEach(i -> r[i] = cached(smiles.get(i)));      // each row on its own
        return r;
    }

    private double cached(String smiles) {
        synchronized (cache) {
            Double known = cache.get(smiles);
            if (known != null) return known;
        }
        double v = score(smiles);
        synchronized (cache) {
            cache.put(smiles, v);
        }
        return v;
    }

    /** The score of one SMILES string. */
    public double score(String smiles) {
        IAtomContainer mol = Molecules.parse(smiles);
        if (mol == null) return invalidScore;
        double sum = 0;
        for (Term t : terms) sum += t.weight() * t.property().of(mol);
        return sum;
    }

    /** The fraction of the strings that are valid molecules ({@link Molecules#validFraction}). */
    public static double validFraction(List<String> smiles) {
        return Molecules.validFraction(smiles);
    }
}
