package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtomContainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Circular (Morgan, ECFP-like) atom environments with counts, identified as RDKit identifies them: the unhashed
 * 32-bit ids of {@code rdMolDescriptors.GetMorganFingerprint(mol, radius)} (connectivity invariants, bond types,
 * no chirality, redundant environments dropped). The fragment table of {@link SaScore} is keyed by these ids, so
 * they must agree bit for bit with RDKit's.
 * <pre>
 *   hash_combine(seed, v) = seed ^ (v + 0x9e3779b9 + (seed << 6) + (seed >>> 2))          (32-bit, as boost's)
 *   hash(v_1..v_k)        = hash_combine(...hash_combine(0, v_1)..., v_k)
 *   id_0(a)               = hash(Z, total degree, total H, formal charge, mass delta [, 1 if a is in a ring])
 *   id_{r+1}(a)           = hash(r, id_r(a), hash(t_1, id_r(n_1)), ..., hash(t_d, id_r(n_d)))
 *                           over a's bonds (t_i = RDKit bond type, n_i = neighbour) sorted by (t_i, id_r(n_i))
 * </pre>
 * Every id_0 counts. An environment of radius r+1 is the set of bonds within r+1 bonds of its centre; it counts only
 * if no environment with the same bond set was counted before (at a smaller radius, or at this radius from a centre
 * with a smaller id), and a centre whose environment was dropped, or that has no bonds, takes no further part:
 * its id for later rounds is 0. An id is reported modulo 2^32 - 1 (the length of RDKit's sparse vector), so
 * 0xFFFFFFFF becomes 0.
 */
public final class MorganEnvironments {
    private MorganEnvironments() {
    }

    /** The environment ids (unsigned 32-bit, as longs) of radius 0..radius and how often each occurs. */
    public static Map<Long, Integer> counts(IAtomContainer mol, int radius) {
        return counts(MolGraph.of(mol), radius);
    }

    static Map<Long, Integer> counts(MolGraph g, int radius) {
        if (radius < 0) throw new IllegalArgumentException("radius must be >= 0, got " + radius);
        int n = g.atomCount;
        Map<Long, Integer> counts = new HashMap<>();
        int[] id = connectivityInvariants(g);
        for (int a = 0; a < n; a++) count(counts, id[a]);

        BitSet[] env = new BitSet[n];
        for (int a = 0; a < n; a++) env[a] = new BitSet(g.bondCount);
        boolean[] dead = new boolean[n];
        Set<BitSet> counted = new HashSet<>();
        for (int layer = 0; layer < radius; layer++) {
            int[] nextId = new int[n];                       // centres out of play keep 0
            BitSet[] nextEnv = env.clone();
            List<Centre> round = new ArrayList<>();
            for (int a = 0; a < n; a++) {
                if (dead[a]) continue;
                if (g.degree(a) == 0) {
                    dead[a] = true;
                    continue;
                }
                BitSet grown = (BitSet) env[a].clone();
                long[] bonds = new long[g.degree(a)];       // (bond type, neighbour id) packed to sort as a pair
                for (int k = 0; k < bonds.length; k++) {
                    int b = g.bondOf[a][k], o = g.neighbour[a][k];
                    grown.set(b);
                    grown.or(env[o]);
                    bonds[k] = ((long) g.type[b] << 32) | Integer.toUnsignedLong(id[o]);
                }
                Arrays.sort(bonds);
                int h = hashCombine(layer, id[a]);
                for (long t : bonds) h = hashCombine(h, hashCombine(hashCombine(0, (int) (t >>> 32)), (int) t));
                nextId[a] = h;
                nextEnv[a] = grown;
                round.add(new Centre(grown, h, a));
                if (counted.contains(grown)) dead[a] = true;
            }
            round.sort(Centre.ORDER);
            for (Centre c : round) {
                if (counted.add(c.bonds())) count(counts, c.id());
                else dead[c.atom()] = true;
            }
            id = nextId;
            env = nextEnv;
        }
        return counts;
    }

    /** A centre's environment this round: its bond set, its id, the atom. */
    private record Centre(BitSet bonds, int id, int atom) {
        /** RDKit's order: bond sets compared as binary numbers (bond 0 the lowest bit), then unsigned id, then atom. */
        static final Comparator<Centre> ORDER = Comparator.<Centre, BitSet>comparing(Centre::bonds, MorganEnvironments::compareBits)
                .thenComparing(Centre::id, Integer::compareUnsigned)
                .thenComparingInt(Centre::atom);
    }

    static int compareBits(BitSet x, BitSet y) {
        BitSet diff = (BitSet) x.clone();
        diff.xor(y);
        int top = diff.length() - 1;
        return top < 0 ? 0 : x.get(top) ? 1 : -1;
    }

    private static void count(Map<Long, Integer> counts, int id) {
        long key = id == -1 ? 0 : Integer.toUnsignedLong(id);   // id mod (2^32 - 1)
        counts.merge(key, 1, Integer::sum);
    }

    /**
     * RDKit's {@code getConnectivityInvariants} with ring membership: per atom the hash of (atomic number, total
     * degree, total hydrogens, formal charge, mass delta) and a final 1 for ring atoms.
     */
    static int[] connectivityInvariants(MolGraph g) {
        int[] inv = new int[g.atomCount];
        for (int a = 0; a < g.atomCount; a++) {
            int hs = g.hydrogens[a];
            for (int o : g.neighbour[a]) if (g.atomicNumber[o] == 1) hs++;
            int h = hashCombine(0, g.atomicNumber[a]);
            h = hashCombine(h, g.totalDegree(a));
            h = hashCombine(h, hs);
            h = hashCombine(h, g.charge[a]);
            h = hashCombine(h, g.massDelta(a));
            if (g.atomInRing[a]) h = hashCombine(h, 1);
            inv[a] = h;
        }
        return inv;
    }

    /** boost's {@code hash_combine} on 32-bit values (RDKit's {@code gboost}), in int arithmetic. */
    static int hashCombine(int seed, int value) {
        return seed ^ (value + 0x9e3779b9 + (seed << 6) + (seed >>> 2));
    }
}
