package org.svdd.chem;

import java.util.Arrays;

/**
 * Possible tetrahedral stereocentres as RDKit's legacy stereo perception finds them: the atoms that
 * {@code Chem.FindMolChiralCenters(mol, includeUnassigned=True)} reports (RDKit 2022.09, legacy implementation),
 * whether or not their configuration is given.
 *
 * <p>An atom is a candidate when it has 3 or 4 substituents counting hydrogens, at least 3 of them heavy (phosphorus
 * and arsenic excepted), and, with exactly 3 heavy neighbours and no hydrogen, is a nitrogen in a three-membered ring
 * or at a bridgehead, a phosphorus or arsenic, or a sulfur or selenium of valence 4 (or 3 with a positive charge). A
 * candidate is a stereocentre when its heavy neighbours have pairwise different ranks.
 *
 * <p>The ranks are RDKit's legacy "CIP" ranks ({@code assignAtomCIPRanks}), a refinement of atom classes: start from
 * (atomic number, isotope); then repeatedly extend each atom's record by its neighbours' current ranks, each written
 * twice-the-bond-order times (aromatic 3, a double bond to a 3- or 4-connected phosphorus once), highest rank first,
 * followed by a 0 per hydrogen; re-rank the records; stop when all atoms are distinct, the number of classes stops
 * growing, or after atoms / 2 + 1 rounds. Unlike graph symmetry classes these ranks ignore hydrogens at the start, and
 * they leave ring stereocentres such as the 1,4-carbons of a cyclohexane (whose two ring branches tie) unreported, as
 * RDKit does.
 *
 * <p>Given configurations (@, @@, / and \) are ignored. RDKit, when a SMILES gives them, also re-ranks by the R/S (and
 * E/Z) labels it assigns, which can add a centre whose ligands differ only by those labels: the middle carbon of
 * {@code C1C[C@H](C)C(C)[C@H](C)C1} counts there and not here.
 */
final class StereoCentres {
    private StereoCentres() {
    }

    /** The number of possible stereocentres (assigned or not) of the molecule. */
    static int count(MolGraph g) {
        int[] ranks = null;
        int n = 0;
        for (int a = 0; a < g.atomCount; a++) {
            if (!isCandidate(g, a)) continue;
            if (ranks == null) ranks = cipRanks(g);
            if (distinctNeighbourRanks(g, a, ranks)) n++;
        }
        return n;
    }

    static boolean isCandidate(MolGraph g, int a) {
        int heavy = g.degree(a), hs = g.hydrogens[a], z = g.atomicNumber[a];
        int total = heavy + hs;
        if (total > 4 || total < 3) return false;
        if (heavy < 3 && z != 15 && z != 33) return false;
        if (heavy == 3 && hs != 1) {
            return switch (z) {
                case 7 -> g.inRingOfSize(a, 3) || isBridgehead(g, a);
                case 15, 33 -> true;
                case 16, 34 -> {
                    int valence = explicitValence(g, a);
                    yield valence == 4 || (valence == 3 && g.charge[a] == 1);
                }
                default -> false;
            };
        }
        return true;
    }

    private static boolean distinctNeighbourRanks(MolGraph g, int a, int[] ranks) {
        int[] r = new int[g.degree(a)];
        for (int k = 0; k < r.length; k++) r[k] = ranks[g.neighbour[a][k]];
        Arrays.sort(r);
        for (int k = 1; k < r.length; k++) if (r[k] == r[k - 1]) return false;
        return true;
    }

    /** Sum of bond orders (aromatic 1.5) and hydrogens, rounded: RDKit's explicit valence for uncharged H counts. */
    private static int explicitValence(MolGraph g, int a) {
        double v = g.hydrogens[a];
        for (int b : g.bondOf[a]) v += g.type[b] == MolGraph.AROMATIC ? 1.5 : g.type[b];
        return (int) Math.round(v);
    }

    /**
     * RDKit's {@code queryIsAtomBridgehead}: at least three ring bonds, and two rings through the atom that share at
     * least two bonds.
     */
    static boolean isBridgehead(MolGraph g, int a) {
        if (g.degree(a) < 3) return false;
        int ringBonds = 0;
        for (int b : g.bondOf[a]) if (g.bondInRing[b]) ringBonds++;
        if (ringBonds < 3) return false;
        for (int i = 0; i < g.ringBonds.length; i++) {
            if (!contains(g.ringAtoms[i], a)) continue;
            for (int j = i + 1; j < g.ringBonds.length; j++) {
                if (contains(g.ringAtoms[j], a) && shared(g.ringBonds[i], g.ringBonds[j]) >= 2) return true;
            }
        }
        return false;
    }

    static boolean contains(int[] xs, int x) {
        for (int y : xs) if (y == x) return true;
        return false;
    }

    static int shared(int[] xs, int[] ys) {
        int n = 0;
        for (int x : xs) if (contains(ys, x)) n++;
        return n;
    }

    /** RDKit's legacy CIP ranks (see the class comment): 0 is the lowest, tied atoms share a rank. */
    static int[] cipRanks(MolGraph g) {
        int n = g.atomCount;
        int[] ranks = new int[n];
        if (n == 0) return ranks;
        int[][] records = new int[n][];
        for (int a = 0; a < n; a++) records[a] = new int[]{initialInvariant(g, a)};
        int numRanks = rank(records, ranks);
        for (int a = 0; a < n; a++) records[a] = new int[]{g.atomicNumber[a], ranks[a]};

        int maxRounds = n / 2 + 1, lastNumRanks = -1;
        for (int round = 0; numRanks < n && round < maxRounds && (lastNumRanks < 0 || lastNumRanks < numRanks); round++) {
            int longest = 0;
            int[][] extended = new int[n][];
            for (int a = 0; a < n; a++) {
                int d = g.degree(a);
                long[] nbrs = new long[d];                   // (rank, weight) packed; ascending, read backwards
                for (int k = 0; k < d; k++) nbrs[k] = ((long) ranks[g.neighbour[a][k]] << 32) | weight(g, g.bondOf[a][k], g.neighbour[a][k]);
                Arrays.sort(nbrs);
                int len = records[a].length;
                int[] rec = Arrays.copyOf(records[a], len + 8 * d + g.hydrogens[a]);
                for (int k = d - 1; k >= 0; k--) {
                    int r = (int) (nbrs[k] >>> 32) + 1;
                    for (int c = (int) nbrs[k]; c > 0; c--) rec[len++] = r;
                }
                len += g.hydrogens[a];                       // a 0 per hydrogen
                extended[a] = Arrays.copyOf(rec, len);
                longest = Math.max(longest, len);
            }
            for (int a = 0; a < n; a++) {
                int len = extended[a].length;
                extended[a] = Arrays.copyOf(extended[a], longest);
                Arrays.fill(extended[a], len, longest, -1);
            }
            lastNumRanks = numRanks;
            numRanks = rank(extended, ranks);
            if (numRanks == lastNumRanks) break;
            for (int a = 0; a < n; a++) {                    // keep the rank history, drop this round's neighbours
                records[a] = Arrays.copyOf(extended[a], round + 2);
                records[a][round + 1] = ranks[a];
            }
        }
        return ranks;
    }

    /** How many times a neighbour's rank is written: twice the bond order, a double bond to 3/4-connected P once. */
    private static int weight(MolGraph g, int bond, int nbr) {
        int t = g.type[bond];
        if (t == MolGraph.DOUBLE && g.atomicNumber[nbr] == 15 && (g.degree(nbr) == 3 || g.degree(nbr) == 4)) return 1;
        return switch (t) {
            case MolGraph.SINGLE -> 2;
            case MolGraph.DOUBLE -> 4;
            case MolGraph.TRIPLE -> 6;
            case MolGraph.QUADRUPLE -> 8;
            case MolGraph.AROMATIC -> 3;
            default -> 0;
        };
    }

    /** RDKit's buildCIPInvariants: atomic number, then a 10-bit isotope offset, then a 10-bit (absent) map number. */
    private static int initialInvariant(MolGraph g, int a) {
        int mass = 0;
        if (g.massNumber[a] != 0) {
            mass = g.massNumber[a] - MolGraph.mostCommonIsotope(g.atomicNumber[a]);
            if (mass >= 0) mass++;
        }
        mass += 512;
        mass = mass < 0 ? 0 : mass % 1024;
        return ((g.atomicNumber[a] % 128) << 20) | (mass << 10);
    }

    /** Dense ranks of the records in lexicographic order (equal records share a rank); returns the number of ranks. */
    private static int rank(int[][] records, int[] ranks) {
        int n = records.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (i, j) -> Arrays.compare(records[i], records[j]));
        int r = 0;
        ranks[order[0]] = 0;
        for (int i = 1; i < n; i++) {
            if (!Arrays.equals(records[order[i]], records[order[i - 1]])) r++;
            ranks[order[i]] = r;
        }
        return r + 1;
    }
}
