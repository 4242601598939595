package org.svdd.chem;

import org.openscience.cdk.config.Isotopes;
import org.openscience.cdk.graph.GraphUtil;
import org.openscience.cdk.graph.MinimumCycleBasis;
import org.openscience.cdk.graph.RelevantCycles;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A molecule as RDKit holds it after {@code MolFromSmiles}: hydrogens folded into the count of their heavy atom,
 * bonds typed with RDKit's {@code Bond::BondType} numbers, and RDKit's ring list. Atoms keep the order of the CDK
 * container, less the folded hydrogens.
 * <pre>
 *   atom a:  atomicNumber[a], charge[a], hydrogens[a] (implicit + folded explicit), massNumber[a] (0 = unlabelled)
 *   bond b:  begin[b], end[b], type[b] in {1 single, 2 double, 3 triple, 4 quadruple, 12 aromatic, 0 other}
 *   a's k-th bond:  neighbour[a][k] over bondOf[a][k]
 *   rings:   ringAtoms[r], ringBonds[r]   (in walk order)
 * </pre>
 * A hydrogen is folded when it is unlabelled, uncharged and bonded by one single bond to one non-hydrogen atom, as
 * RDKit's {@code RemoveHs} does; other hydrogens ([2H], H2, bridging H) stay atoms. RDKit's ring list after
 * sanitisation is its symmetrised SSSR: the smallest set of smallest rings plus the rings of equal size that could
 * replace one of them. Here each ring system contributes its relevant cycles (the union of all its minimum cycle
 * bases), the same rings for all but unusual cages (and the same spiro, bridgehead and macrocycle counts on every WEHI
 * molecule); where there are too many to list, a minimum cycle basis. Aromaticity is the CDK container's (for a
 * molecule from {@link Molecules#parse}, CDK's Daylight model, which gives RDKit's aromatic bonds on every WEHI
 * molecule that CDK reads).
 */
final class MolGraph {
    static final int SINGLE = 1, DOUBLE = 2, TRIPLE = 3, QUADRUPLE = 4, AROMATIC = 12, OTHER = 0;

    final int atomCount, bondCount;
    final int[] atomicNumber, charge, hydrogens, massNumber;
    final int[] begin, end, type;
    final int[][] neighbour, bondOf;
    final boolean[] atomInRing, bondInRing;
    final int[][] ringAtoms, ringBonds;

    private MolGraph(int[] atomicNumber, int[] charge, int[] hydrogens, int[] massNumber, int[] begin, int[] end, int[] type) {
        this.atomCount = atomicNumber.length;
        this.bondCount = begin.length;
        this.atomicNumber = atomicNumber;
        this.charge = charge;
        this.hydrogens = hydrogens;
        this.massNumber = massNumber;
        this.begin = begin;
        this.end = end;
        this.type = type;
        int[] degree = new int[atomCount];
        for (int b = 0; b < bondCount; b++) {
            degree[begin[b]]++;
            degree[end[b]]++;
        }
        neighbour = new int[atomCount][];
        bondOf = new int[atomCount][];
        for (int a = 0; a < atomCount; a++) {
            neighbour[a] = new int[degree[a]];
            bondOf[a] = new int[degree[a]];
        }
        int[] fill = new int[atomCount];
        for (int b = 0; b < bondCount; b++) {
            int u = begin[b], v = end[b];
            neighbour[u][fill[u]] = v;
            bondOf[u][fill[u]++] = b;
            neighbour[v][fill[v]] = u;
            bondOf[v][fill[v]++] = b;
        }
        int[][] paths = rings(neighbour);
        ringAtoms = new int[paths.length][];
        ringBonds = new int[paths.length][];
        atomInRing = new boolean[atomCount];
        bondInRing = new boolean[bondCount];
        for (int r = 0; r < paths.length; r++) {
            int len = paths[r].length - 1;                     // a closed walk: first vertex == last vertex
            ringAtoms[r] = Arrays.copyOf(paths[r], len);
            ringBonds[r] = new int[len];
            for (int i = 0; i < len; i++) {
                int b = bond(paths[r][i], paths[r][i + 1]);
                ringBonds[r][i] = b;
                atomInRing[paths[r][i]] = true;
                bondInRing[b] = true;
            }
        }
    }

    /** The graph of a CDK molecule (not modified); aromatic bonds are those CDK flags aromatic. */
    static MolGraph of(IAtomContainer mol) {
        int n = mol.getAtomCount();
        int[] index = new int[n];
        int kept = 0;
        for (int i = 0; i < n; i++) index[i] = foldedHydrogen(mol.getAtom(i)) ? -1 : kept++;
        int[] z = new int[kept], chg = new int[kept], hs = new int[kept], mass = new int[kept];
        for (int i = 0; i < n; i++) {
            if (index[i] < 0) continue;
            IAtom atom = mol.getAtom(i);
            int a = index[i];
            z[a] = atom.getAtomicNumber() == null ? 0 : atom.getAtomicNumber();
            chg[a] = atom.getFormalCharge() == null ? 0 : atom.getFormalCharge();
            hs[a] = atom.getImplicitHydrogenCount() == null ? 0 : atom.getImplicitHydrogenCount();
            mass[a] = atom.getMassNumber() == null ? 0 : atom.getMassNumber();
        }
        List<int[]> bonds = new ArrayList<>();
        for (IBond bond : mol.bonds()) {
            int u = index[bond.getBegin().getIndex()], v = index[bond.getEnd().getIndex()];
            if (u < 0) hs[v]++;
            else if (v < 0) hs[u]++;
            else bonds.add(new int[]{u, v, type(bond)});
        }
        int[] begin = new int[bonds.size()], end = new int[bonds.size()], type = new int[bonds.size()];
        for (int b = 0; b < begin.length; b++) {
            begin[b] = bonds.get(b)[0];
            end[b] = bonds.get(b)[1];
            type[b] = bonds.get(b)[2];
        }
        return new MolGraph(z, chg, hs, mass, begin, end, type);
    }

    private static boolean foldedHydrogen(IAtom atom) {
        if (atom.getAtomicNumber() == null || atom.getAtomicNumber() != 1) return false;
        if (atom.getMassNumber() != null || (atom.getFormalCharge() != null && atom.getFormalCharge() != 0)) return false;
        if (atom.getBondCount() != 1) return false;
        IBond bond = atom.bonds().iterator().next();
        IAtom other = bond.getOther(atom);
        return bond.getOrder() == IBond.Order.SINGLE && other.getAtomicNumber() != null && other.getAtomicNumber() != 1;
    }

    private static int type(IBond bond) {
        if (bond.isAromatic()) return AROMATIC;
        if (bond.getOrder() == null) return OTHER;
        return switch (bond.getOrder()) {
            case SINGLE -> SINGLE;
            case DOUBLE -> DOUBLE;
            case TRIPLE -> TRIPLE;
            case QUADRUPLE -> QUADRUPLE;
            default -> OTHER;
        };
    }

    /** More relevant cycles than this in one ring system (possible only in large cages) fall back to a minimum cycle basis. */
    static final int MAX_RELEVANT_CYCLES = 1000;

    /**
     * The rings of a graph as closed vertex walks: each ring system (a component of the bonds that are not bridges)
     * that is a single cycle gives that cycle, a fused system its relevant cycles (else a minimum cycle basis).
     */
    private static int[][] rings(int[][] adjacency) {
        int n = adjacency.length;
        int[] system = ringSystems(adjacency);
        List<int[]> out = new ArrayList<>();
        boolean[] done = new boolean[n];
        for (int v = 0; v < n; v++) {
            if (system[v] < 0 || done[v]) continue;
            int id = system[v];
            int[] members = IntStream.range(v, n).filter(u -> system[u] == id).toArray();
            int edges = 0;
            for (int u : members) {
                done[u] = true;
                for (int w : adjacency[u]) if (system[w] == id) edges++;
            }
            edges /= 2;
            if (edges == members.length) {
                out.add(GraphUtil.cycle(adjacency, members));
                continue;
            }
            int[][] sub = GraphUtil.subgraph(adjacency, members);
            RelevantCycles relevant = new RelevantCycles(sub);
            int[][] paths = relevant.size() <= MAX_RELEVANT_CYCLES ? relevant.paths() : new MinimumCycleBasis(sub).paths();
            for (int[] path : paths) {
                int[] mapped = new int[path.length];
                for (int i = 0; i < path.length; i++) mapped[i] = members[path[i]];
                out.add(mapped);
            }
        }
        return out.toArray(int[][]::new);
    }

    /**
     * For each vertex, the index of its ring system (the vertices joined by bonds that lie on a cycle), or -1 for a
     * vertex on no cycle. Bridges are found by depth-first search with low links.
     */
    private static int[] ringSystems(int[][] adjacency) {
        int n = adjacency.length;
        int[] order = new int[n], low = new int[n], parent = new int[n], next = new int[n];
        Arrays.fill(order, -1);
        int[] root = new int[n];
        for (int v = 0; v < n; v++) root[v] = v;
        int clock = 0;
        int[] stack = new int[n];
        for (int s = 0; s < n; s++) {
            if (order[s] >= 0) continue;
            int top = 0;
            stack[top++] = s;
            parent[s] = -1;
            order[s] = low[s] = clock++;
            while (top > 0) {
                int v = stack[top - 1];
                if (next[v] < adjacency[v].length) {
                    int w = adjacency[v][next[v]++];
                    if (order[w] < 0) {
                        parent[w] = v;
                        order[w] = low[w] = clock++;
                        stack[top++] = w;
                    } else if (w != parent[v]) {
                        low[v] = Math.min(low[v], order[w]);
                    }
                } else {
                    top--;
                    int p = parent[v];
                    if (p >= 0) {
                        low[p] = Math.min(low[p], low[v]);
                        if (low[v] <= order[p]) union(root, v, p);   // bond p-v is on a cycle
                    }
                }
            }
        }
        int[] system = new int[n];
        for (int v = 0; v < n; v++) {
            boolean onCycle = false;
            for (int w : adjacency[v]) onCycle |= find(root, v) == find(root, w);
            system[v] = onCycle ? find(root, v) : -1;
        }
        return system;
    }

    private static int find(int[] root, int v) {
        while (root[v] != v) v = root[v] = root[root[v]];
        return v;
    }

    private static void union(int[] root, int u, int v) {
        root[find(root, u)] = find(root, v);
    }

    /** The bond joining atoms u and v, or -1. */
    int bond(int u, int v) {
        for (int k = 0; k < neighbour[u].length; k++) if (neighbour[u][k] == v) return bondOf[u][k];
        return -1;
    }

    int degree(int a) {
        return neighbour[a].length;
    }

    /** Heavy (non-folded) neighbours plus hydrogens: RDKit's {@code getTotalDegree}. */
    int totalDegree(int a) {
        return neighbour[a].length + hydrogens[a];
    }

    boolean inRingOfSize(int a, int size) {
        for (int[] ring : ringAtoms) {
            if (ring.length != size) continue;
            for (int x : ring) if (x == a) return true;
        }
        return false;
    }

    /**
     * RDKit's mass delta of an atom's invariants, {@code (int) (mass - atomic weight)}: 0 for an unlabelled atom, else
     * the isotope's exact mass minus the element's natural mass, truncated toward zero.
     */
    int massDelta(int a) {
        if (massNumber[a] == 0 || atomicNumber[a] == 0) return 0;
        Isotopes isotopes = isotopes();
        double exact = isotopes.getExactMass(atomicNumber[a], massNumber[a]);
        if (exact <= 0) exact = massNumber[a];
        return (int) (exact - isotopes.getNaturalMass(atomicNumber[a]));
    }

    /** The mass number of the element's most abundant isotope, 0 if unknown. */
    static int mostCommonIsotope(int atomicNumber) {
        var major = isotopes().getMajorIsotope(atomicNumber);
        return major == null || major.getMassNumber() == null ? 0 : major.getMassNumber();
    }

    private static Isotopes isotopes() {
        try {
            return Isotopes.getInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
