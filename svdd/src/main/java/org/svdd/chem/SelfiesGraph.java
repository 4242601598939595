package org.svdd.chem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A molecule as a directed graph in string order, the common ground of {@link SelfiesEncoder} and
 * {@link SelfiesDecoder}. Atoms are numbered in the order they are written. An ordinary (tree) bond is stored once, from
 * the earlier atom to the later; a ring bond is stored in both directions, each with the stereo mark written at that
 * end. Each atom's outgoing bonds are kept in the order a SMILES lists them: this order is what the encoder walks and
 * what {@link #toSmiles} writes. Mutable and confined to one call; never shared.
 */
final class SelfiesGraph {
    /** No stereo mark on a bond. */
    static final char NO_STEREO = 0;
    /** An atom count that is not written: implicit hydrogens, no isotope. */
    static final int IMPLICIT = -1;

    /**
     * An atom. {@code hCount} is {@link #IMPLICIT} for an organic-subset atom written without brackets, else its explicit
     * hydrogens; {@code isotope} is {@link #IMPLICIT} when none is written; {@code chirality} is null, "@" or "@@".
     */
    static final class Atom {
        final String element;
        final int isotope, hCount, charge;
        String chirality;
        int index = -1;
        /** Sum of the orders of this atom's bonds. */
        int bondCount;

        Atom(String element, int isotope, String chirality, int hCount, int charge) {
            this.element = element;
            this.isotope = isotope;
            this.chirality = chirality;
            this.hCount = hCount;
            this.charge = charge;
        }

        /** The bonding capacity under the constraints: the capacity of element and charge less explicit hydrogens. */
        int capacity(SelfiesConstraints c) {
            return c.capacity(element, charge) - Math.max(hCount, 0);
        }

        boolean bare() {
            return isotope == IMPLICIT && chirality == null && hCount == IMPLICIT && charge == 0;
        }

        /** The SMILES of this atom, in brackets unless it is a bare organic-subset atom; also the text of an atom symbol. */
        String smiles(boolean brackets) {
            if (bare()) return element;
            StringBuilder b = new StringBuilder();
            if (brackets) b.append('[');
            if (isotope != IMPLICIT) b.append(isotope);
            b.append(element);
            if (chirality != null) b.append(chirality);
            if (hCount > 0) b.append('H').append(hCount);
            else if (isotope == IMPLICIT && chirality == null && charge == 0 && SelfiesGrammar.ORGANIC_SUBSET.contains(element)) b.append("H0");
            if (charge != 0) b.append(charge > 0 ? "+" : "").append(charge);
            if (brackets) b.append(']');
            return b.toString();
        }
    }

    /** A directed bond; {@code order} is 1, 2 or 3 (0 while the encoder has not read it yet). */
    static final class Bond {
        final int src, dst;
        final char stereo;
        final boolean ring;
        int order;

        Bond(int src, int dst, int order, char stereo, boolean ring) {
            this.src = src;
            this.dst = dst;
            this.order = order;
            this.stereo = stereo;
            this.ring = ring;
        }

        /** The SMILES bond symbol: "", "/" or "\" for single bonds, "=" or "#". */
        String smiles() {
            return switch (order) {
                case 1 -> stereo == NO_STEREO ? "" : String.valueOf(stereo);
                case 2 -> "=";
                case 3 -> "#";
                default -> throw new IllegalStateException("bond order " + order + " between atoms " + src + " and " + dst);
            };
        }
    }

    private final List<Atom> atoms = new ArrayList<>();
    private final List<List<Bond>> out = new ArrayList<>();
    private final List<Integer> roots = new ArrayList<>();
    private final Map<Long, Bond> bonds = new HashMap<>();
    private final Set<Integer> makesRingBond = new HashSet<>();

    int size() {
        return atoms.size();
    }

    Atom atom(int i) {
        return atoms.get(i);
    }

    List<Atom> atoms() {
        return atoms;
    }

    /** First atoms of the fragments, in order. */
    List<Integer> roots() {
        return roots;
    }

    /** The outgoing bonds of atom {@code src} in SMILES order (may hold null placeholders while the encoder reads). */
    List<Bond> out(int src) {
        return out.get(src);
    }

    boolean hasRingBond(int atom) {
        return makesRingBond.contains(atom);
    }

    Atom addAtom(Atom atom, boolean root) {
        atom.index = atoms.size();
        if (root) roots.add(atom.index);
        atoms.add(atom);
        out.add(new ArrayList<>());
        return atom;
    }

    private static long key(int src, int dst) {
        return ((long) src << 32) | (dst & 0xffffffffL);
    }

    boolean hasBond(int a, int b) {
        return bonds.containsKey(key(Math.min(a, b), Math.max(a, b)));
    }

    /** The bond stored from {@code src} to {@code dst}, or null. */
    Bond bond(int src, int dst) {
        return bonds.get(key(src, dst));
    }

    /** A tree bond from an earlier atom to a later one, appended to the earlier atom's bonds. */
    Bond addBond(int src, int dst, int order, char stereo) {
        if (src >= dst) throw new IllegalArgumentException("tree bond " + src + " -> " + dst + " must go forward");
        Bond b = new Bond(src, dst, order, stereo, false);
        place(b, -1);
        atoms.get(src).bondCount += order;
        atoms.get(dst).bondCount += order;
        return b;
    }

    /** Reserves the place of a ring bond in the bonds of {@code src} (a ring number opened there); returns it. */
    int addPlaceholder(int src) {
        out.get(src).add(null);
        return out.get(src).size() - 1;
    }

    /** A ring bond a - b, stored both ways: at position aPos of a's bonds and bPos of b's (-1: appended). */
    void addRingBond(int a, int b, int order, char aStereo, char bStereo, int aPos, int bPos) {
        place(new Bond(a, b, order, aStereo, true), aPos);
        place(new Bond(b, a, order, bStereo, true), bPos);
        atoms.get(a).bondCount += order;
        atoms.get(b).bondCount += order;
        makesRingBond.add(a);
        makesRingBond.add(b);
    }

    /** Sets the order of the bond between a and b (both directions of a ring bond), keeping the bond counts. */
    void setOrder(int a, int b, int order) {
        Bond ab = bond(Math.min(a, b), Math.max(a, b));
        int change = order - ab.order;
        ab.order = order;
        if (ab.ring) bond(ab.dst, ab.src).order = order;
        atoms.get(a).bondCount += change;
        atoms.get(b).bondCount += change;
    }

    private void place(Bond bond, int pos) {
        bonds.put(key(bond.src, bond.dst), bond);
        List<Bond> edges = out.get(bond.src);
        if (pos == -1 || pos == edges.size()) edges.add(bond);
        else if (edges.get(pos) == null) edges.set(pos, bond);
        else edges.add(pos, bond);
    }

    /**
     * The SMILES of the graph, atoms in index order from each root, bonds in stored order: every bond but an atom's last
     * tree bond opens a branch. Ring numbers count up from 1 in order of first appearance while below 100, then reuse
     * the smallest closed one.
     */
    String toSmiles() {
        StringBuilder s = new StringBuilder();
        Map<Long, Integer> ringNumbers = new HashMap<>();
        Set<Integer> open = new HashSet<>();
        int ringsSeen = 0;
        for (int root : roots) {
            if (!s.isEmpty()) s.append('.');
            Deque<Frame> stack = new ArrayDeque<>();
            stack.push(new Frame(root, false));
            s.append(atoms.get(root).smiles(true));
            while (!stack.isEmpty()) {
                Frame f = stack.peek();
                List<Bond> edges = out.get(f.atom);
                if (f.next == edges.size()) {
                    stack.pop();
                    if (f.closeBranch) s.append(')');
                    continue;
                }
                Bond bond = edges.get(f.next++);
                if (bond.ring) {
                    long k = key(Math.min(bond.src, bond.dst), Math.max(bond.src, bond.dst));
                    Integer n = ringNumbers.remove(k);
                    if (n == null) {
                        n = ++ringsSeen < 100 ? ringsSeen : smallestFree(open);
                        ringNumbers.put(k, n);
                        open.add(n);
                    } else {
                        open.remove(n);
                    }
                    s.append(bond.smiles()).append(n < 10 ? "" : n < 100 ? "%" : "%(").append(n).append(n < 100 ? "" : ")");
                } else {
                    boolean branch = f.next < edges.size();
                    if (branch) s.append('(');
                    s.append(bond.smiles()).append(atoms.get(bond.dst).smiles(true));
                    stack.push(new Frame(bond.dst, branch));
                }
            }
        }
        return s.toString();
    }

    /** A visit of an atom while writing SMILES: which of its bonds comes next, and whether it opened a branch. */
    private static final class Frame {
        final int atom;
        final boolean closeBranch;
        int next;

        Frame(int atom, boolean closeBranch) {
            this.atom = atom;
            this.closeBranch = closeBranch;
        }
    }

    private static int smallestFree(Set<Integer> open) {
        int n = 1;
        while (open.contains(n)) n++;
        return n;
    }
}
