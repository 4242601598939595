package org.svdd.chem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SELFIES symbols and derivation rules (selfies 2.x). Symbols are read here; the state machine of
 * {@link SelfiesDecoder} uses {@link #atomBond}, {@link #branchInitState} and {@link #ringBond}, and both directions
 * use the index alphabet ({@link #index}, {@link #indexSymbols}).
 *
 * <p>Symbols: an atom {@code [<bond><isotope><Element><chirality><Hn><charge>]} such as {@code [C]}, {@code [=N]},
 * {@code [NH1+1]}, {@code [/C@@H1]}, {@code [13CH1]}; a branch {@code [<bond>BranchL]}; a ring
 * {@code [<bond>RingL]} or, for single ring bonds with stereo marks at its two ends, {@code [<l><r>RingL]} with
 * l, r in {@code - / \} (not both {@code -}); {@code [nop]}, skipped; {@code [epsilon]}, which ends a chain. L, from
 * 1 to 3, is how many of the following symbols are read as a number Q in base 16 over {@link #INDEX_ALPHABET}.
 */
final class SelfiesGrammar {
    private SelfiesGrammar() {
    }

    /** The no-operation symbol: skipped by the decoder wherever it is, and the padding symbol. */
    static final String NOP = "[nop]";

    /** The digits of Q: the symbol at position d stands for d. Any other symbol read as a digit stands for 0. */
    static final List<String> INDEX_ALPHABET = List.of(
            "[C]", "[Ring1]", "[Ring2]",
            "[Branch1]", "[=Branch1]", "[#Branch1]",
            "[Branch2]", "[=Branch2]", "[#Branch2]",
            "[O]", "[N]", "[=N]", "[=C]", "[#C]", "[S]", "[P]");
    private static final Map<String, Integer> INDEX_CODE = indexCode();
    /** At most this many index symbols follow a branch or ring symbol. */
    static final int MAX_INDEX_LENGTH = 3;

    /** Elements that SMILES writes without brackets, with implicit hydrogens. */
    static final Set<String> ORGANIC_SUBSET = Set.of("B", "C", "N", "O", "S", "P", "F", "Cl", "Br", "I");
    /** Aromatic SMILES symbols (lowercase), written bare for b, c, n, o, p, s and in brackets for the others. */
    static final Set<String> AROMATIC_SUBSET = Set.of("b", "al", "c", "si", "n", "p", "as", "o", "s", "se", "te");
    /** Element symbols of the periodic table, 1 to 118. */
    static final Set<String> ELEMENTS = Set.of(
            "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
            "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",
            "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce",
            "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir",
            "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
            "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc",
            "Lv", "Ts", "Og");

    /** An atom symbol: the order and stereo mark of the bond into the atom, and the atom's fields. */
    record AtomSymbol(int bondOrder, char stereo, String element, int isotope, String chirality, int hCount, int charge) {
        SelfiesGraph.Atom atom() {
            return new SelfiesGraph.Atom(element, isotope, chirality, hCount, charge);
        }
    }

    /** A branch symbol: the largest order of the bond into the branch, and L. */
    record BranchSymbol(int bondOrder, int indexLength) {
    }

    /** A ring symbol: the largest order of the ring bond, L, and the stereo marks at its left (earlier) and right end. */
    record RingSymbol(int bondOrder, int indexLength, char leftStereo, char rightStereo) {
    }

    private static final Pattern ATOM = Pattern.compile("\\[([=#/\\\\]?)(\\d*)([A-Z][a-z]?)(@{0,2})((?:H\\d)?)((?:[+-][1-9]+)?)]");
    private static final Map<String, AtomSymbol> ATOMS = new ConcurrentHashMap<>();
    private static final Map<String, BranchSymbol> BRANCHES = branches();
    private static final Map<String, RingSymbol> RINGS = rings();

    static boolean isBranch(String symbol) {
        return symbol.length() >= 4 && symbol.startsWith("ch", symbol.length() - 4);
    }

    static boolean isRing(String symbol) {
        return symbol.length() >= 4 && symbol.startsWith("ng", symbol.length() - 4);
    }

    static boolean isEpsilon(String symbol) {
        return symbol.contains("eps");
    }

    /** The branch symbol, or null if the text is not one. */
    static BranchSymbol branch(String symbol) {
        return BRANCHES.get(symbol);
    }

    /** The ring symbol, or null if the text is not one. */
    static RingSymbol ring(String symbol) {
        return RINGS.get(symbol);
    }

    /** The atom symbol, or null if the text is not one (or has more hydrogens than its element and charge allow bonds). */
    static AtomSymbol atom(String symbol, SelfiesConstraints constraints) {
        AtomSymbol a = ATOMS.get(symbol);
        if (a == null) {
            a = parseAtom(symbol);
            if (a == null) return null;
            ATOMS.put(symbol, a);
        }
        return a.atom().capacity(constraints) < 0 ? null : a;
    }

    private static AtomSymbol parseAtom(String symbol) {
        Matcher m = ATOM.matcher(symbol);
        if (!m.matches()) return null;
        String bond = m.group(1);
        int order = bondOrder(bond);
        char stereo = stereo(bond);
        String element = m.group(3);
        if (ORGANIC_SUBSET.contains(symbol.substring(1 + bond.length(), symbol.length() - 1))) {
            return new AtomSymbol(order, stereo, element, SelfiesGraph.IMPLICIT, null, SelfiesGraph.IMPLICIT, 0);
        }
        if (!ELEMENTS.contains(element)) return null;
        int isotope = m.group(2).isEmpty() ? SelfiesGraph.IMPLICIT : Integer.parseInt(m.group(2));
        String chirality = m.group(4).isEmpty() ? null : m.group(4);
        int h = m.group(5).isEmpty() ? 0 : Integer.parseInt(m.group(5).substring(1));
        int charge = m.group(6).isEmpty() ? 0 : Integer.parseInt(m.group(6));
        return new AtomSymbol(order, stereo, element, isotope, chirality, h, charge);
    }

    /** The order of a SMILES bond symbol: 2 for "=", 3 for "#", else 1 ("", "-", "/", "\"). */
    static int bondOrder(String bond) {
        return switch (bond) {
            case "=" -> 2;
            case "#" -> 3;
            default -> 1;
        };
    }

    /** The stereo mark of a SMILES bond symbol ('/' or '\'), or {@link SelfiesGraph#NO_STEREO}. */
    static char stereo(String bond) {
        return bond.equals("/") || bond.equals("\\") ? bond.charAt(0) : SelfiesGraph.NO_STEREO;
    }

    /** "" for order 1, "=" for 2, "#" for 3: the bond prefix of branch and ring symbols. */
    static String bondPrefix(int order) {
        return switch (order) {
            case 1 -> "";
            case 2 -> "=";
            case 3 -> "#";
            default -> throw new IllegalArgumentException("bond order " + order);
        };
    }

    /**
     * The atom rule. In state X_state an atom symbol with bond order {@code order} and bonding capacity {@code capacity}
     * is bonded to the previous atom with order min(order, state, capacity) (0 in state X0, where it starts a
     * fragment). Returns {bond order, next state}, the next state being the capacity left, or {@link #STOP} at 0.
     */
    static int[] atomBond(int order, int capacity, int state) {
        int b = state == 0 ? 0 : Math.min(order, Math.min(state, capacity));
        int left = capacity - b;
        return new int[]{b, left == 0 ? STOP : left};
    }

    /** The branch rule: a branch in state X_state (state > 1) starts in state min(state - 1, order); the main chain goes on in state minus that. */
    static int branchInitState(int order, int state) {
        return Math.min(state - 1, order);
    }

    /** The ring rule: a ring bond in state X_state (state > 0) has order min(order, state); returns {order, next state}. */
    static int[] ringBond(int order, int state) {
        int b = Math.min(order, state);
        int left = state - b;
        return new int[]{b, left == 0 ? STOP : left};
    }

    /** The state that ends a chain. */
    static final int STOP = -1;

    /** Q of index symbols, most significant first; null (missing) and non-index symbols count as 0. */
    static int index(List<String> symbols) {
        int q = 0;
        for (String s : symbols) q = q * INDEX_ALPHABET.size() + (s == null ? 0 : INDEX_CODE.getOrDefault(s, 0));
        return q;
    }

    /** The index symbols of q, most significant first, without leading zeros ("[C]" for 0). */
    static List<String> indexSymbols(int q) {
        if (q < 0) throw new IllegalArgumentException("negative index " + q);
        if (q == 0) return List.of(INDEX_ALPHABET.get(0));
        List<String> digits = new ArrayList<>();
        int base = INDEX_ALPHABET.size();
        for (; q > 0; q /= base) digits.addFirst(INDEX_ALPHABET.get(q % base));
        return digits;
    }

    /** The branch symbols [Branch1] to [#Branch3] and ring symbols [Ring1] to [#Ring3] (without stereo marks). */
    static List<String> branchAndRingSymbols() {
        List<String> out = new ArrayList<>();
        for (int l = 1; l <= MAX_INDEX_LENGTH; l++) {
            for (int order = 1; order <= 3; order++) {
                out.add("[" + bondPrefix(order) + "Branch" + l + "]");
                out.add("[" + bondPrefix(order) + "Ring" + l + "]");
            }
        }
        return List.copyOf(out);
    }

    private static Map<String, Integer> indexCode() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < INDEX_ALPHABET.size(); i++) m.put(INDEX_ALPHABET.get(i), i);
        return Map.copyOf(m);
    }

    private static Map<String, BranchSymbol> branches() {
        Map<String, BranchSymbol> m = new HashMap<>();
        for (int l = 1; l <= MAX_INDEX_LENGTH; l++) {
            for (int order = 1; order <= 3; order++) m.put("[" + bondPrefix(order) + "Branch" + l + "]", new BranchSymbol(order, l));
        }
        return Map.copyOf(m);
    }

    private static Map<String, RingSymbol> rings() {
        Map<String, RingSymbol> m = new HashMap<>();
        String marks = "-/\\";
        for (int l = 1; l <= MAX_INDEX_LENGTH; l++) {
            for (int order = 1; order <= 3; order++) {
                m.put("[" + bondPrefix(order) + "Ring" + l + "]", new RingSymbol(order, l, SelfiesGraph.NO_STEREO, SelfiesGraph.NO_STEREO));
            }
            for (char left : marks.toCharArray()) {
                for (char right : marks.toCharArray()) {
                    if (left == '-' && right == '-') continue;
                    m.put("[" + left + right + "Ring" + l + "]", new RingSymbol(1, l, stereo(String.valueOf(left)), stereo(String.valueOf(right))));
                }
            }
        }
        return Map.copyOf(m);
    }
}
