package org.svdd.chem;

import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMILES to SELFIES (selfies 2.x). The SMILES is read as written (atoms in order, each atom's ring bonds and branches
 * in order), its aromatic part is kekulised by CDK, and the graph is walked in the same order: an atom's last bond
 * continues the chain, its other bonds become branches {@code [BranchL]Q...}, and a ring bond is written at its later
 * atom as {@code [RingL]Q} with Q + 1 the distance back to its earlier atom. Atom order is kept, so randomised SMILES give
 * randomised SELFIES of the same molecule.
 *
 * <p>Not supported (as in the package): the wildcard {@code *}, quadruple bonds {@code $}, chirality other than
 * {@code @} and {@code @@}, ring bonds across a '.', and branches or rings spanning more than 16^3 symbols or atoms. In
 * strict mode, a molecule with an atom over its bonding capacity is refused: SELFIES cannot write it. Chirality at an
 * atom with ring bonds is inverted where the decoder lists that atom's neighbours in an order of odd parity, so the
 * decoded SMILES keeps the configuration.
 *
 * <p>Immutable and thread-safe (CDK parsers are per thread).
 */
public final class SelfiesEncoder {
    private static final ThreadLocal<SmilesParser> PARSER = ThreadLocal.withInitial(() -> new SmilesParser(SilentChemObjectBuilder.getInstance()));
    private static final Pattern BRACKET_ATOM = Pattern.compile("\\[(\\d*)([A-Za-z][a-z]?)(@{0,2})((?:H\\d?)?)((?:\\++|-+|[+-]\\d+)?)((?::\\d+)?)]");
    private static final String BONDS = "-=#:/\\";

    private final SelfiesConstraints constraints;
    private final boolean strict;

    /**
     * @param constraints the semantic constraints checked in strict mode
     * @param strict      whether to refuse a molecule that breaks the constraints (its SELFIES would decode to another
     *                    molecule)
     */
    public SelfiesEncoder(SelfiesConstraints constraints, boolean strict) {
        this.constraints = constraints;
        this.strict = strict;
    }

    /**
     * The SELFIES of a SMILES ('.'-separated fragments give '.'-separated SELFIES).
     *
     * @throws SelfiesException if the SMILES cannot be read or kekulised, uses what SELFIES does not support, or (strict)
     *                          breaks the constraints
     */
    public String encode(String smiles) {
        SelfiesGraph mol = read(smiles);
        if (strict) checkConstraints(mol, smiles);
        for (SelfiesGraph.Atom atom : mol.atoms()) {
            if (atom.chirality != null && mol.hasRingBond(atom.index) && oddNeighbourOrder(mol, atom.index)) {
                atom.chirality = atom.chirality.equals("@") ? "@@" : "@";
            }
        }
        StringBuilder out = new StringBuilder();
        for (int root : mol.roots()) {
            if (!out.isEmpty()) out.append('.');
            for (String s : fragment(mol, null, root)) out.append(s);
        }
        return out.toString();
    }

    /** The graph of a SMILES with Kekulé bond orders. */
    static SelfiesGraph read(String smiles) {
        if (smiles == null || smiles.isBlank()) throw new SelfiesException("empty SMILES");
        String s = smiles.strip().split("\\s", 2)[0];
        SelfiesGraph mol = readTopology(s);
        IAtomContainer kekule;
        try {
            kekule = PARSER.get().parseSmiles(s);
        } catch (InvalidSmilesException | RuntimeException e) {
            throw new SelfiesException("CDK cannot read or kekulise '" + smiles + "': " + e.getMessage());
        }
        if (kekule.getAtomCount() != mol.size()) {
            throw new SelfiesException("CDK reads " + kekule.getAtomCount() + " atoms in '" + smiles + "', the SELFIES reader " + mol.size());
        }
        for (int i = 0; i < mol.size(); i++) {
            if (!kekule.getAtom(i).getSymbol().equals(mol.atom(i).element)) {
                throw new SelfiesException("atom " + i + " of '" + smiles + "' is " + kekule.getAtom(i).getSymbol() + " to CDK, " + mol.atom(i).element + " to the SELFIES reader");
            }
        }
        int bonds = 0;
        for (int a = 0; a < mol.size(); a++) {
            for (SelfiesGraph.Bond b : mol.out(a)) {
                if (b.ring && b.src > b.dst) continue;
                IBond bond = kekule.getBond(kekule.getAtom(b.src), kekule.getAtom(b.dst));
                int order = bond == null || bond.getOrder() == null ? 0 : switch (bond.getOrder()) {
                    case SINGLE -> 1;
                    case DOUBLE -> 2;
                    case TRIPLE -> 3;
                    default -> 0;
                };
                if (order == 0) throw new SelfiesException("no single, double or triple bond between atoms " + b.src + " and " + b.dst + " of '" + smiles + "' after kekulisation");
                mol.setOrder(b.src, b.dst, order);
                bonds++;
            }
        }
        if (bonds != kekule.getBondCount()) throw new SelfiesException("CDK reads " + kekule.getBondCount() + " bonds in '" + smiles + "', the SELFIES reader " + bonds);
        return mol;
    }

    /**
     * The atoms and bonds of a SMILES as written, bond orders left 0: each atom's bonds in SMILES order, a ring bond at
     * the place of its ring number at both ends.
     */
    private static SelfiesGraph readTopology(String s) {
        SelfiesGraph mol = new SelfiesGraph();
        int i = 0;
        while (i <= s.length()) {
            i = readFragment(s, i, mol) + 1;
        }
        return mol;
    }

    private record OpenRing(char bond, int atom, int position) {
    }

    /** Reads one '.'-free fragment from {@code i}; returns the index of the '.' or the end that closes it. */
    private static int readFragment(String s, int i, SelfiesGraph mol) {
        Deque<Integer> prev = new ArrayDeque<>();
        prev.push(-1);
        int openBranches = 0;
        Map<String, OpenRing> rings = new HashMap<>();
        boolean chainStart = true;
        int atoms = 0;
        while (i < s.length() && s.charAt(i) != '.') {
            char bond = 0;
            if (BONDS.indexOf(s.charAt(i)) >= 0) {
                bond = s.charAt(i++);
                if (i == s.length()) throw syntax(s, i - 1, "hanging bond");
            }
            char c = s.charAt(i);
            if (c == '$') throw syntax(s, i, "quadruple bonds are not supported");
            if (c == '[' || Character.isLetter(c)) {
                int end;
                SelfiesGraph.Atom atom;
                if (c == '[') {
                    end = s.indexOf(']', i);
                    if (end < 0) throw syntax(s, i, "hanging '['");
                    atom = bracketAtom(s, i, ++end);
                } else {
                    end = i + (s.startsWith("Cl", i) || s.startsWith("Br", i) ? 2 : 1);
                    String e = s.substring(i, end);
                    if (!SelfiesGrammar.ORGANIC_SUBSET.contains(e) && !"bcnops".contains(e)) throw syntax(s, i, "'" + e + "' is not an organic-subset atom");
                    atom = new SelfiesGraph.Atom(e.substring(0, 1).toUpperCase() + e.substring(1), SelfiesGraph.IMPLICIT, null, SelfiesGraph.IMPLICIT, 0);
                }
                int before = prev.pop();
                mol.addAtom(atom, before < 0);
                if (before >= 0) mol.addBond(before, atom.index, 0, SelfiesGrammar.stereo(String.valueOf(bond)));
                prev.push(atom.index);
                chainStart = false;
                atoms++;
                i = end;
            } else if (chainStart) {
                throw syntax(s, i, "a chain begins with '" + c + "', not an atom");
            } else if (c == '(' || c == ')') {
                if (bond != 0) throw syntax(s, i - 1, "hanging bond");
                if (c == '(') {
                    prev.push(prev.peek());
                    openBranches++;
                    chainStart = true;
                } else {
                    if (openBranches == 0) throw syntax(s, i, "hanging ')'");
                    openBranches--;
                    prev.pop();
                }
                i++;
            } else if (Character.isDigit(c) || c == '%') {
                int end = c == '%' ? i + 3 : i + 1;
                if (c == '%' && (end > s.length() || !Character.isDigit(s.charAt(i + 1)) || !Character.isDigit(s.charAt(i + 2)))) {
                    throw syntax(s, i, "invalid ring number");
                }
                String number = s.substring(i, end);
                int here = prev.peek();
                OpenRing open = rings.remove(number);
                if (open == null) {
                    rings.put(number, new OpenRing(bond, here, mol.addPlaceholder(here)));
                } else {
                    if (open.atom() == here || mol.hasBond(open.atom(), here)) throw syntax(s, i, "ring bond between atoms already bonded");
                    char l = open.bond(), r = bond;
                    boolean stereoPair = "/\\".indexOf(l) >= 0 && "/\\".indexOf(r) >= 0;
                    if (l != 0 && r != 0 && l != r && !stereoPair) throw syntax(s, i, "mismatched ring bonds '" + l + "' and '" + r + "'");
                    mol.addRingBond(open.atom(), here, 0, SelfiesGrammar.stereo(String.valueOf(l)), SelfiesGrammar.stereo(String.valueOf(r)), open.position(), -1);
                }
                i = end;
            } else {
                throw syntax(s, i, "unsupported symbol '" + c + "'");
            }
        }
        if (atoms == 0) throw syntax(s, i, "empty fragment");
        if (openBranches > 0) throw syntax(s, i, "hanging '('");
        if (!rings.isEmpty()) throw syntax(s, i, "ring number " + rings.keySet().iterator().next() + " not closed (ring bonds across '.' are not supported)");
        return i;
    }

    /** A bracket atom {@code s[from, to)}: isotope, element (aromatic ones capitalised), chirality, H count, charge. */
    private static SelfiesGraph.Atom bracketAtom(String s, int from, int to) {
        Matcher m = BRACKET_ATOM.matcher(s).region(from, to);
        if (!m.matches()) throw syntax(s, from, "unsupported bracket atom " + s.substring(from, to));
        String symbol = m.group(2);
        String element = Character.isLowerCase(symbol.charAt(0)) && SelfiesGrammar.AROMATIC_SUBSET.contains(symbol)
                ? Character.toUpperCase(symbol.charAt(0)) + symbol.substring(1) : symbol;
        if (!SelfiesGrammar.ELEMENTS.contains(element)) throw syntax(s, from, "unknown element " + symbol);
        int isotope = m.group(1).isEmpty() ? SelfiesGraph.IMPLICIT : Integer.parseInt(m.group(1));
        String chirality = m.group(3).isEmpty() ? null : m.group(3);
        String h = m.group(4);
        int hCount = h.isEmpty() ? 0 : h.length() == 1 ? 1 : Integer.parseInt(h.substring(1));
        String q = m.group(5);
        int charge = q.isEmpty() ? 0 : Character.isDigit(q.charAt(q.length() - 1)) ? Integer.parseInt(q) : (q.charAt(0) == '+' ? q.length() : -q.length());
        return new SelfiesGraph.Atom(element, isotope, chirality, hCount, charge);
    }

    private static SelfiesException syntax(String s, int at, String what) {
        return new SelfiesException("cannot encode SMILES '" + s + "' at " + at + ": " + what);
    }

    private void checkConstraints(SelfiesGraph mol, String smiles) {
        StringBuilder errors = new StringBuilder();
        for (SelfiesGraph.Atom atom : mol.atoms()) {
            int capacity = atom.capacity(constraints);
            if (atom.bondCount > capacity) {
                errors.append(String.format(" atom %d %s makes %d bonds, at most %d allowed;", atom.index, atom.smiles(true), atom.bondCount, capacity));
            }
        }
        if (!errors.isEmpty()) throw new SelfiesException("'" + smiles + "' breaks the SELFIES constraints:" + errors);
    }

    /**
     * Whether the decoder will list the neighbours of a chiral atom in an odd permutation of the SMILES order: the
     * decoded SMILES writes ring bonds closing at this atom first, then those opening here (by partner), then the rest.
     */
    private static boolean oddNeighbourOrder(SelfiesGraph mol, int atom) {
        List<SelfiesGraph.Bond> out = mol.out(atom);
        List<Integer> closing = new ArrayList<>(), opening = new ArrayList<>(), other = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            SelfiesGraph.Bond b = out.get(i);
            if (!b.ring) other.add(i);
            else if (b.src < b.dst) opening.add(i);
            else closing.add(i);
        }
        opening.sort((x, y) -> Integer.compare(out.get(x).dst, out.get(y).dst));
        List<Integer> perm = new ArrayList<>(closing);
        perm.addAll(opening);
        perm.addAll(other);
        int inversions = 0;
        for (int i = 0; i < perm.size(); i++) {
            for (int j = i + 1; j < perm.size(); j++) if (perm.get(i) > perm.get(j)) inversions++;
        }
        return inversions % 2 != 0;
    }

    /** The symbols of the chain from {@code root} (entered by {@code into}, null for a fragment's first atom). */
    private static List<String> fragment(SelfiesGraph mol, SelfiesGraph.Bond into, int root) {
        List<String> derived = new ArrayList<>();
        SelfiesGraph.Bond bondIn = into;
        int curr = root;
        while (true) {
            SelfiesGraph.Atom atom = mol.atom(curr);
            derived.add("[" + (bondIn == null ? "" : bondIn.smiles()) + atom.smiles(false) + "]");
            List<SelfiesGraph.Bond> out = mol.out(curr);
            int next = -1;
            SelfiesGraph.Bond nextIn = null;
            for (int i = 0; i < out.size(); i++) {
                SelfiesGraph.Bond bond = out.get(i);
                if (bond.ring) {
                    if (bond.src < bond.dst) continue;
                    SelfiesGraph.Bond opening = mol.bond(bond.dst, bond.src);
                    List<String> q = indexSymbols(bond.src - bond.dst - 1, "ring");
                    derived.add("[" + ringBond(opening, bond) + "Ring" + q.size() + "]");
                    derived.addAll(q);
                } else if (i == out.size() - 1) {
                    nextIn = bond;
                    next = bond.dst;
                } else {
                    List<String> branch = fragment(mol, bond, bond.dst);
                    List<String> q = indexSymbols(branch.size() - 1, "branch");
                    derived.add("[" + SelfiesGrammar.bondPrefix(bond.order) + "Branch" + q.size() + "]");
                    derived.addAll(q);
                    derived.addAll(branch);
                }
            }
            if (next < 0) return derived;
            bondIn = nextIn;
            curr = next;
        }
    }

    private static List<String> indexSymbols(int q, String what) {
        List<String> symbols = SelfiesGrammar.indexSymbols(q);
        if (symbols.size() > SelfiesGrammar.MAX_INDEX_LENGTH) throw new SelfiesException(what + " spans " + (q + 1) + ", more than SELFIES can index");
        return symbols;
    }

    /** The bond part of a ring symbol: "", "=", "#", or the two stereo marks ("-" for none) of a single bond with any. */
    private static String ringBond(SelfiesGraph.Bond opening, SelfiesGraph.Bond closing) {
        if (opening.order != 1 || (opening.stereo == SelfiesGraph.NO_STEREO && closing.stereo == SelfiesGraph.NO_STEREO)) {
            return SelfiesGrammar.bondPrefix(opening.order);
        }
        return "" + (opening.stereo == SelfiesGraph.NO_STEREO ? '-' : opening.stereo) + (closing.stereo == SelfiesGraph.NO_STEREO ? '-' : closing.stereo);
    }
}
