package org.svdd.chem;

import java.util.ArrayList;
import java.util.List;

/**
 * SELFIES to SMILES: the derivation of Krenn et al. 2020 (selfies 2.x rules). Every sequence of valid symbols derives a
 * molecule whose atoms stay within their bonding capacities, so every SMILES written here is a valid molecule under the
 * constraints.
 *
 * <p>The derivation reads symbols left to right in a state X_n, n the bonds the previous atom can still make:
 * <ul>
 *   <li>atom: bonded to the previous atom with order min(symbol order, n, capacity) and the new state is the capacity
 *       left (X0, the start of each '.'-separated fragment: no bond, the atom starts a fragment). At capacity 0 the
 *       chain ends and the rest of it is skipped;</li>
 *   <li>branch [BranchL] (n > 1, else ignored): the next L symbols are Q; the next Q + 1 symbols are derived as a
 *       branch from the previous atom in state min(n - 1, order), and the main chain goes on in the state left;</li>
 *   <li>ring [RingL] (n > 0, else ignored): the next L symbols are Q; a ring bond of order min(order, n) from the
 *       previous atom to the atom Q + 1 before it (the first atom if there is none) is formed after all symbols are
 *       read, with its order cut to what both atoms have left; a ring bond onto an existing bond raises its order
 *       (at most 3); a ring from an atom to itself is dropped.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class SelfiesDecoder {
    private final SelfiesConstraints constraints;

    /** A decoder under the given semantic constraints. */
    public SelfiesDecoder(SelfiesConstraints constraints) {
        this.constraints = constraints;
    }

    public SelfiesConstraints constraints() {
        return constraints;
    }

    /** The SMILES (Kekulé, atoms in derivation order) of a SELFIES string; "" for one without atoms. */
    public String decode(String selfies) {
        return decode(Selfies.tokens(selfies));
    }

    /**
     * The SMILES of a sequence of symbols ("." separates fragments, "[nop]" is skipped).
     *
     * @throws SelfiesException on a symbol that is not a SELFIES symbol
     */
    public String decode(List<String> symbols) {
        return derive(symbols).toSmiles();
    }

    /** The molecular graph the symbols derive. */
    SelfiesGraph derive(List<String> symbols) {
        SelfiesGraph mol = new SelfiesGraph();
        List<Ring> rings = new ArrayList<>();
        List<String> fragment = new ArrayList<>();
        for (int i = 0; i <= symbols.size(); i++) {
            String s = i < symbols.size() ? symbols.get(i) : ".";
            if (s.equals(".")) {
                derive(new Cursor(fragment), mol, Integer.MAX_VALUE, 0, null, rings);
                fragment.clear();
            } else if (!s.equals(SelfiesGrammar.NOP)) {
                fragment.add(s);
            }
        }
        formRings(mol, rings);
        return mol;
    }

    /** A pending ring bond between two atoms, with the order the ring symbol allows and the stereo marks at each end. */
    private record Ring(SelfiesGraph.Atom left, SelfiesGraph.Atom right, int order, char leftStereo, char rightStereo) {
    }

    /** The symbols of one fragment, read one at a time. */
    private static final class Cursor {
        final List<String> symbols;
        int next;

        Cursor(List<String> symbols) {
            this.symbols = symbols;
        }

        boolean hasNext() {
            return next < symbols.size();
        }

        String next() {
            return symbols.get(next++);
        }

        /** Q from the next l symbols (missing ones count as 0). */
        int readIndex(int l) {
            List<String> digits = new ArrayList<>(l);
            for (int i = 0; i < l; i++) digits.add(hasNext() ? next() : null);
            return SelfiesGrammar.index(digits);
        }
    }

    /**
     * Derives at most {@code maxDerive} symbols from the cursor, starting in state {@code initState} after atom
     * {@code root} (null in X0), and returns how many symbols it consumed. A chain that stops early still consumes its
     * remaining symbols up to {@code maxDerive}, so a branch always spans Q + 1 symbols.
     */
    private int derive(Cursor it, SelfiesGraph mol, int maxDerive, int initState, SelfiesGraph.Atom root, List<Ring> rings) {
        int derived = 0;
        int state = initState;
        SelfiesGraph.Atom prev = root;
        while (state != SelfiesGrammar.STOP && derived < maxDerive && it.hasNext()) {
            String symbol = it.next();
            derived++;
            int next;
            if (SelfiesGrammar.isBranch(symbol)) {
                SelfiesGrammar.BranchSymbol b = SelfiesGrammar.branch(symbol);
                if (b == null) throw invalid(symbol);
                if (state <= 1) {
                    next = state;
                } else {
                    int branchState = SelfiesGrammar.branchInitState(b.bondOrder(), state);
                    next = state - branchState;
                    int q = it.readIndex(b.indexLength());
                    derived += b.indexLength() + derive(it, mol, q + 1, branchState, prev, rings);
                }
            } else if (SelfiesGrammar.isRing(symbol)) {
                SelfiesGrammar.RingSymbol r = SelfiesGrammar.ring(symbol);
                if (r == null) throw invalid(symbol);
                if (state == 0) {
                    next = state;
                } else {
                    int[] bondAndNext = SelfiesGrammar.ringBond(r.bondOrder(), state);
                    next = bondAndNext[1];
                    int q = it.readIndex(r.indexLength());
                    derived += r.indexLength();
                    SelfiesGraph.Atom left = mol.atom(Math.max(0, prev.index - (q + 1)));
                    rings.add(new Ring(left, prev, bondAndNext[0], r.leftStereo(), r.rightStereo()));
                }
            } else if (SelfiesGrammar.isEpsilon(symbol)) {
                next = state == 0 ? 0 : SelfiesGrammar.STOP;
            } else {
                SelfiesGrammar.AtomSymbol a = SelfiesGrammar.atom(symbol, constraints);
                if (a == null) throw invalid(symbol);
                SelfiesGraph.Atom atom = a.atom();
                int[] bondAndNext = SelfiesGrammar.atomBond(a.bondOrder(), atom.capacity(constraints), state);
                next = bondAndNext[1];
                if (bondAndNext[0] > 0) {
                    mol.addAtom(atom, false);
                    mol.addBond(prev.index, atom.index, bondAndNext[0], a.stereo());
                } else if (state == 0) {
                    mol.addAtom(atom, true);
                }
                prev = atom;
            }
            state = next;
        }
        while (derived < maxDerive && it.hasNext()) {
            it.next();
            derived++;
        }
        return derived;
    }

    /** Forms the ring bonds in the order their symbols were read, each cut to the capacity both atoms have left. */
    private void formRings(SelfiesGraph mol, List<Ring> rings) {
        int[] ringsMade = new int[mol.size()];
        for (Ring r : rings) {
            int l = r.left().index, rt = r.right().index;
            if (l == rt) continue;
            int leftFree = r.left().capacity(constraints) - r.left().bondCount;
            int rightFree = r.right().capacity(constraints) - r.right().bondCount;
            if (leftFree <= 0 || rightFree <= 0) continue;
            int order = Math.min(r.order(), Math.min(leftFree, rightFree));
            if (mol.hasBond(l, rt)) {
                SelfiesGraph.Bond existing = mol.bond(Math.min(l, rt), Math.max(l, rt));
                mol.setOrder(l, rt, Math.min(order + existing.order, 3));
            } else {
                mol.addRingBond(l, rt, order, r.leftStereo(), r.rightStereo(), ringsMade[l]++, ringsMade[rt]++);
            }
        }
    }

    private static SelfiesException invalid(String symbol) {
        return new SelfiesException("invalid SELFIES symbol '" + symbol + "'");
    }
}
