package org.svdd.chem;

import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.graph.Cycles;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smarts.SmartsPattern;
import org.openscience.cdk.smiles.SmiFlavor;
import org.openscience.cdk.smiles.SmilesGenerator;
import org.openscience.cdk.smiles.SmilesParser;

import java.util.List;

/**
 * SMILES to CDK molecules, and what counts as a valid molecule.
 *
 * <p>A SMILES is valid when CDK's {@link SmilesParser} reads it, kekulises its aromatic part (an aromatic system
 * without a Kekulé structure is an error), every aromatic atom is in a ring, and every atom's valence (bond orders plus
 * hydrogens) is within RDKit's limit for its element and charge: the largest allowed valence plus the charge (N+ 4,
 * O- 1), or minus the charge for the early atoms H, Li, Na, K, B (B- 4); elements outside that table (metals) are not
 * checked. CDK's reader accepts some malformed strings that RDKit refuses, so a lexical check comes first
 * ({@link #wellFormed}). The empty string is invalid. Together this approximates RDKit's {@code MolFromSmiles} with
 * sanitisation; the tests measure the agreement on WEHI SMILES with one random edit.
 *
 * <p>Parsed molecules are prepared for SMARTS matching (ring flags, Daylight aromaticity, as CDK's
 * {@link SmartsPattern#prepare} does), so the patterns of {@link Crippen} and {@link Qed} run without preparing again.
 */
public final class Molecules {
    private static final ThreadLocal<SmilesParser> PARSER = ThreadLocal.withInitial(() -> new SmilesParser(SilentChemObjectBuilder.getInstance()));
    /** Keeps the input's aromatic flags (no kekulisation): to see which atoms were written lowercase. */
    private static final ThreadLocal<SmilesParser> AS_WRITTEN = ThreadLocal.withInitial(() -> {
        SmilesParser p = new SmilesParser(SilentChemObjectBuilder.getInstance());
        p.kekulise(false);
        return p;
    });

    private Molecules() {
    }

    /**
     * The molecule of a SMILES, ready for SMARTS matching, or null when the string is not a valid molecule: empty, not
     * SMILES, not kekulisable, or an atom over its valence. Parser failures of any kind (CDK throws unchecked
     * exceptions on some malformed strings) count as invalid.
     */
    public static IAtomContainer parse(String smiles) {
        if (smiles == null || smiles.isEmpty()) return null;
        if (!wellFormed(smiles)) return null;
        IAtomContainer mol;
        try {
            mol = PARSER.get().parseSmiles(smiles);
            if (mol.getAtomCount() == 0 || !valencesAllowed(mol) || !aromaticAtomsInRings(AS_WRITTEN.get().parseSmiles(smiles))) return null;
        } catch (InvalidSmilesException | RuntimeException e) {
            return null;
        }
        SmartsPattern.prepare(mol);
        return mol;
    }

    /** Whether every atom written lowercase (aromatic) lies on a ring, as RDKit requires; mol as parsed, not kekulised. */
    private static boolean aromaticAtomsInRings(IAtomContainer asWritten) {
        Cycles.markRingAtomsAndBonds(asWritten);
        for (IAtom atom : asWritten.atoms()) {
            if (atom.isAromatic() && !atom.isInRing()) return false;
        }
        return true;
    }

    private static final String BONDS = "-=#$:/\\";

    /**
     * What RDKit's SMILES grammar requires and CDK's reader does not check: no bond or dot at either end or before a
     * ')', no two dots in a row, no '(' followed by ')', '(', '.' or a ring-closure digit. Bracket atoms
     * ({@code [O-]}, {@code [nH+]}) are skipped.
     */
    static boolean wellFormed(String s) {
        char prev = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                int close = s.indexOf(']', i);
                if (close < 0) return false;
                i = close;
                prev = ']';
                continue;
            }
            boolean bondOrDot = c == '.' || BONDS.indexOf(c) >= 0;
            if (i == 0 && (bondOrDot || c == ')')) return false;
            if (c == ')' && (prev == '.' || prev == '(' || BONDS.indexOf(prev) >= 0)) return false;
            if (prev == '(' && (c == '(' || c == '.' || c == '%' || Character.isDigit(c))) return false;
            if (c == '.' && prev == '.') return false;
            prev = c;
        }
        return prev != '.' && prev != '(' && BONDS.indexOf(prev) < 0;
    }

    /** Whether the SMILES is a valid molecule ({@link #parse} is not null). */
    public static boolean isValid(String smiles) {
        return parse(smiles) != null;
    }

    /** CDK's canonical SMILES (aromatic symbols) of a SMILES, the same for every way of writing the molecule; null if it is not valid. */
    public static String canonical(String smiles) {
        IAtomContainer mol = parse(smiles);
        return mol == null ? null : canonical(mol);
    }

    /** CDK's canonical SMILES (aromatic symbols) of a molecule {@link #parse} returned; null if CDK cannot write it. */
    public static String canonical(IAtomContainer mol) {
        try {
            return CANONICAL.create(mol);
        } catch (CDKException e) {
            return null;
        }
    }

    private static final SmilesGenerator CANONICAL = new SmilesGenerator(SmiFlavor.Canonical | SmiFlavor.UseAromaticSymbols);

    /** The fraction of the strings that are valid molecules; 0 for an empty list. */
    public static double validFraction(List<String> smiles) {
        if (smiles.isEmpty()) return 0;
        long valid = smiles.stream().filter(Molecules::isValid).count();
        return (double) valid / smiles.size();
    }

    /** Whether every atom's valence (bond orders + implicit and explicit H) is within {@link #maxValence}. */
    static boolean valencesAllowed(IAtomContainer mol) {
        for (IAtom atom : mol.atoms()) {
            if (atom.getAtomicNumber() == null) return false;
            int charge = atom.getFormalCharge() == null ? 0 : atom.getFormalCharge();
            int max = maxValence(atom.getAtomicNumber(), charge);
            if (max == UNCHECKED) continue;
            int valence = atom.getImplicitHydrogenCount() == null ? 0 : atom.getImplicitHydrogenCount();
            for (IBond b : atom.bonds()) {
                if (b.getOrder() == null || b.getOrder() == IBond.Order.UNSET) return false;
                valence += b.getOrder().numeric();
            }
            if (valence > max) return false;
        }
        return true;
    }

    static final int UNCHECKED = Integer.MAX_VALUE;

    /**
     * RDKit's largest allowed valence for an element with a formal charge (its periodic table's largest valence, shifted
     * by the charge: up for elements right of carbon and carbon itself, down for the early atoms), or {@link #UNCHECKED}.
     */
    static int maxValence(int atomicNumber, int charge) {
        return switch (atomicNumber) {
            case 1, 3, 11, 19 -> 1 - charge;    // H, Li, Na, K
            case 5 -> 3 - charge;               // B
            case 6, 50 -> 4 + charge;           // C, Sn
            case 7 -> 3 + charge;               // N
            case 8 -> 2 + charge;               // O
            case 9, 17, 35 -> 1 + charge;       // F, Cl, Br
            case 14, 16, 34 -> 6 + charge;      // Si, S, Se
            case 15, 33 -> 7 + charge;          // P, As
            case 53 -> 5 + charge;              // I
            default -> UNCHECKED;
        };
    }
}
