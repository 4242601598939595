package org.svdd.chem;

import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;

import java.util.ArrayList;
import java.util.List;

/**
 * SELFIES, self-referencing embedded strings (Krenn et al. 2020, "Self-referencing embedded strings (SELFIES): A 100%
 * robust molecular string representation", Mach. Learn.: Sci. Technol. 1 045024), with the symbols and rules of the
 * {@code selfies} package 2.x and its 2.1 default constraints ({@link SelfiesConstraints#DEFAULT}). Every sequence of
 * SELFIES symbols decodes to a molecule that keeps every atom within its bonding capacity, which makes SELFIES a
 * token space where a sequence model cannot write an invalid molecule.
 *
 * <p>Notation (paper, then code):
 * <table>
 *   <caption>SELFIES notation</caption>
 *   <tr><th>paper</th><th>code</th><th>meaning</th></tr>
 *   <tr><td>X_n</td><td>{@code state}</td><td>derivation state: bonds the previous atom can still make; X0 starts a fragment</td></tr>
 *   <tr><td>bonding capacity</td><td>{@link SelfiesConstraints#capacity}</td><td>most bond orders of an element/charge, less explicit H</td></tr>
 *   <tr><td>Q</td><td>{@link SelfiesGrammar#index}</td><td>number read from the L symbols after a branch or ring symbol, base 16</td></tr>
 *   <tr><td>[BranchL], [RingL]</td><td>{@link SelfiesGrammar.BranchSymbol}, {@link SelfiesGrammar.RingSymbol}</td><td>branch of Q + 1 symbols; ring bond to the atom Q + 1 back</td></tr>
 *   <tr><td>[nop]</td><td>{@link SelfiesAlphabet#PAD}</td><td>skipped by the decoder; the padding token</td></tr>
 * </table>
 *
 * <p>Round trip on the 10,000 WEHI molecules (rdkit-data): SMILES to SELFIES to SMILES gives the same molecule for
 * 9,984; the encoder refuses the other 16 (aromatic sulfone sulfur, which CDK cannot kekulise), see SelfiesWehiTest.
 * The decoder writes exactly the SMILES of the selfies package (2.1.1) for the same SELFIES. For a token model, build a
 * {@link SelfiesAlphabet} from the encoded data set ({@link SelfiesAlphabet#of}) and decode rows of ids with
 * {@link #decode(int[], int, int, List)}. All methods are thread-safe.
 */
public final class Selfies {
    private static final SelfiesEncoder ENCODER = new SelfiesEncoder(SelfiesConstraints.DEFAULT, true);
    private static final SelfiesDecoder DECODER = new SelfiesDecoder(SelfiesConstraints.DEFAULT);
    private static final ThreadLocal<SmilesParser> PARSER = ThreadLocal.withInitial(() -> new SmilesParser(SilentChemObjectBuilder.getInstance()));

    /** The padding and no-operation symbol. */
    public static final String NOP = SelfiesGrammar.NOP;

    private Selfies() {
    }

    /**
     * The SELFIES of a SMILES (aromatic SMILES are kekulised by CDK first), under the default constraints, strict.
     *
     * @throws SelfiesException if it cannot be encoded; see {@link SelfiesEncoder}
     */
    public static String encode(String smiles) {
        return ENCODER.encode(smiles);
    }

    /**
     * The SMILES of a SELFIES string, as the package's decoder writes it (Kekulé, atoms in derivation order, not
     * canonical); "" when there is no atom.
     *
     * @throws SelfiesException on a symbol that is not a SELFIES symbol
     */
    public static String decode(String selfies) {
        return DECODER.decode(selfies);
    }

    /** The CDK molecule of a SELFIES string (hydrogens implicit, kekulised); an empty molecule when there is no atom. */
    public static IAtomContainer decodeMolecule(String selfies) {
        String smiles = decode(selfies);
        try {
            return PARSER.get().parseSmiles(smiles);
        } catch (InvalidSmilesException e) {
            throw new IllegalStateException("CDK cannot read the decoded SMILES '" + smiles + "' of " + selfies, e);
        }
    }

    /**
     * The SMILES of a row of token ids: {@code alphabet.get(id)} for the ids in {@code ids[offset .. offset + length)},
     * the padding symbol "[nop]" skipped wherever it stands.
     *
     * @throws IllegalArgumentException on an id outside the alphabet
     */
    public static String decode(int[] ids, int offset, int length, List<String> alphabet) {
        List<String> symbols = new ArrayList<>(length);
        for (int i = offset; i < offset + length; i++) symbols.add(symbol(ids[i], i - offset, alphabet));
        return DECODER.decode(symbols);
    }

    /** {@link #decode(int[], int, int, List)} for the long ids of a token tensor. */
    public static String decode(long[] ids, int offset, int length, List<String> alphabet) {
        List<String> symbols = new ArrayList<>(length);
        for (int i = offset; i < offset + length; i++) {
            long id = ids[i];
            symbols.add(symbol(id < 0 || id > Integer.MAX_VALUE ? -1 : (int) id, i - offset, alphabet));
        }
        return DECODER.decode(symbols);
    }

    private static String symbol(int id, int position, List<String> alphabet) {
        if (id < 0 || id >= alphabet.size()) {
            throw new IllegalArgumentException("token " + id + " at position " + position + " is not one of the " + alphabet.size() + " SELFIES symbols");
        }
        return alphabet.get(id);
    }

    /**
     * The symbols of a SELFIES string: each bracketed symbol, and "." between fragments.
     *
     * @throws SelfiesException on a '[' without ']', or text outside brackets other than '.'
     */
    public static List<String> tokens(String selfies) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < selfies.length()) {
            char c = selfies.charAt(i);
            if (c == '.') {
                out.add(".");
                i++;
            } else if (c == '[') {
                int end = selfies.indexOf(']', i + 1);
                if (end < 0) throw new SelfiesException("'[' without ']' at " + i + " in " + selfies);
                out.add(selfies.substring(i, end + 1));
                i = end + 1;
            } else {
                throw new SelfiesException("'" + c + "' outside brackets at " + i + " in " + selfies);
            }
        }
        return out;
    }

    /** The branch and ring symbols [Branch1] .. [#Branch3], [Ring1] .. [#Ring3]: to add to a data set's alphabet. */
    public static List<String> branchAndRingSymbols() {
        return SelfiesGrammar.branchAndRingSymbols();
    }
}
