package org.svdd.chem;

import org.junit.jupiter.api.Test;
import org.openscience.cdk.exception.InvalidSmilesException;
import org.openscience.cdk.isomorphism.VentoFoggia;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smiles.SmilesParser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SELFIES grammar on hand-checked cases: the paper's and the selfies package's examples, each derivation rule, the
 * index alphabet, the token ids. Expected strings are what selfies 2.x writes for the same input.
 */
class SelfiesTest {
    private static final SmilesParser PARSER = new SmilesParser(SilentChemObjectBuilder.getInstance());

    private static void decodes(String selfies, String smiles) {
        assertEquals(smiles, Selfies.decode(selfies), selfies);
    }

    private static void encodes(String smiles, String selfies) {
        assertEquals(selfies, Selfies.encode(smiles), smiles);
    }

    /** Whether two SMILES are the same molecule, stereo included (CDK identity match). */
    private static boolean sameMolecule(String a, String b) throws InvalidSmilesException {
        return VentoFoggia.findIdentical(PARSER.parseSmiles(a)).matches(PARSER.parseSmiles(b));
    }

    @Test
    void benzeneIsKekulisedThenClosedByARing() {
        encodes("c1ccccc1", "[C][=C][C][=C][C][=C][Ring1][=Branch1]");
        // [Ring1] reads one index symbol: [=Branch1] is 4, so the ring bond goes 4 + 1 atoms back, to atom 0.
        decodes("[C][=C][C][=C][C][=C][Ring1][=Branch1]", "C1=CC=CC=C1");
        encodes("C=CF", "[C][=C][F]");
    }

    @Test
    void branches() {
        encodes("CC(C)C", "[C][C][Branch1][C][C][C]");       // Q = [C] = 0: a branch of 1 symbol
        decodes("[C][C][Branch1][C][C][C]", "CC(C)C");
        encodes("CC(=O)O", "[C][C][=Branch1][C][=O][O]");
        decodes("[C][=C][Branch1][C][=C][#C]", "C=C(C)C");      // branch from a state-2 atom leaves 1 bond for the chain
        decodes("[C][C][O][Branch1][C][I]", "CCOCI");           // at X1 a branch symbol is skipped, its Q read as atoms
        decodes("[C][Branch1][Ring2][Branch1][Branch1][Branch1][F]", "CF"); // a branch with no atoms
        decodes("[C][Branch2][O][O][C][C][S][F][C]", "CCCSF");  // Q past the end: the branch takes the rest
        decodes("[C][C][C][C][Branch1]", "CCCC");               // branch symbol last
    }

    @Test
    void ringsAndRingBondOrders() {
        encodes("C1CC1", "[C][C][C][Ring1][Ring1]");
        encodes("C1CCC=1", "[C][C][C][C][=Ring1][Ring2]");
        decodes("[C][C][C][C][=Ring1][Ring2]", "C=1CCC=1");      // a double ring bond
        decodes("[C][=C][C][C][=Ring1][Ring1]", "C=C1CC1");      // ... cut to single: the =C has one bond left
        decodes("[C][C][Ring1][C]", "C=C");                      // onto an existing bond: its order rises
        decodes("[C][C][C][C][=Ring1][Ring2][#Ring1][Ring2]", "C#1CCC#1"); // 2 + 3, at most triple
        decodes("[C][C][C][C][Ring2][O]", "C1CCC1");             // Q past the first atom: to the first atom
        decodes("[C][Ring1][O]", "C");                           // no ring from an atom to itself
        decodes("[C][C][C][C][C][Ring1]", "CCCC=C");             // ring symbol last: Q = 0
        decodes("[C][C][C][Ring1][Ring1][#C]", "C1CC1=C");       // the ring takes a bond of the state
        decodes("[C][C][C][C][\\/Ring1][Ring2]", "C\\1CCC/1");  // stereo marks at the two ends
        decodes("[Ring3][C][S][C][O]", "CSCO");                  // at X0 a ring symbol is skipped
    }

    @Test
    void ringNumbersPast99AreReused() throws InvalidSmilesException {
        String selfies = "[C]" + "[C][C][Ring1][Ring1]".repeat(120);  // 120 fused three-membered rings in a chain
        String smiles = Selfies.decode(selfies);
        assertTrue(smiles.contains("%99"), smiles);
        var mol = PARSER.parseSmiles(smiles);
        assertEquals(241, mol.getAtomCount());
        assertEquals(240 + 120, mol.getBondCount());
    }

    @Test
    void chargedAndBracketAtoms() {
        encodes("C[N+](=O)[O-]", "[C][N+1][=Branch1][C][=O][O-1]");
        decodes("[C][N+1][=Branch1][C][=O][O-1]", "C[N+1](=O)[O-1]");
        encodes("c1cc[nH]c1", "[C][C][=C][NH1][C][=Ring1][Branch1]"); // [nH] keeps its hydrogen: [NH1], 2 bonds
        encodes("[NH4+]", "[NH4+1]");
        encodes("[Na+].[Cl-]", "[Na+1].[Cl-1]");
        encodes("[2H]C([2H])([2H])Cl", "[2H][C][Branch1][C][2H][Branch1][C][2H][Cl]");
        encodes("[13CH4]", "[13CH4]");
        decodes("[C][CH0][C]", "C[CH0]C");                       // an organic atom in brackets keeps H0
        decodes("[Xe-2][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F]",
                "[Xe-2](F)(F)(F)(F)(F)(F)(F)CF");                // elements outside the table may make 8 bonds
    }

    @Test
    void valenceCutOff() {
        decodes("[O][=O][C]", "O=O");                   // O is full after =O: the chain ends, [C] is dropped
        decodes("[C][#C][#C]", "C#CC");                 // one bond left: the triple bond is cut to single
        decodes("[F][=C][=C][#N]", "FC=C=N");           // F allows 1, then C has 3 left, then 2
        decodes("[C][F][C]", "CF");                     // F ends the chain
        decodes("[CH4][C]", "[CH4]");                   // capacity 0: nothing can follow
        decodes("[C][Branch1][C][F][Branch1][C][F][Branch1][C][F][Branch1][C][F][C]", "C(F)(F)(F)CF"); // 4th branch at X1 skipped, its Q [C] read as an atom
    }

    @Test
    void nopAndEpsilonAndFragments() {
        decodes("[C][nop][O][nop]", "CO");
        decodes("[nop][nop]", "");
        decodes("", "");
        decodes("[C][epsilon][O]", "C");
        encodes("CC.O", "[C][C].[O]");
        decodes("[C][C].[O]", "CC.O");
        decodes("[Branch1].[C]", "C");
    }

    @Test
    void stereoRoundTrips() throws InvalidSmilesException {
        encodes("F/C=C\\F", "[F][/C][=C][\\F]");
        encodes("N[C@@H](C)C(=O)O", "[N][C@@H1][Branch1][C][C][C][=Branch1][C][=O][O]");
        // chirality at an atom with ring bonds is inverted where the decoder lists its neighbours in another order
        encodes("[C@@H]12CCC2CCNC1", "[C@H1][C][C][C][Ring1][Ring2][C][C][N][C][Ring1][Branch2]");
        for (String s : List.of("[C@@H]12CCC2CCNC1", "C[C@]1(F)CC[C@@H](Cl)C1", "F/C=C/F", "F/C=C\\F", "N[C@@H](C)C(=O)O")) {
            assertTrue(sameMolecule(s, Selfies.decode(Selfies.encode(s))), s);
        }
        assertTrue(!sameMolecule("[C@@H](F)(Cl)Br", "[C@H](F)(Cl)Br"), "the check tells enantiomers apart");
    }

    @Test
    void indexAlphabetIsBase16() {
        assertEquals(List.of("[C]"), SelfiesGrammar.indexSymbols(0));
        assertEquals(List.of("[P]"), SelfiesGrammar.indexSymbols(15));
        assertEquals(List.of("[Ring1]", "[C]"), SelfiesGrammar.indexSymbols(16));
        assertEquals(List.of("[P]", "[P]", "[P]"), SelfiesGrammar.indexSymbols(16 * 16 * 16 - 1));
        assertEquals(16 * 3 + 9, SelfiesGrammar.index(List.of("[Branch1]", "[O]")));
        assertEquals(0, SelfiesGrammar.index(List.of("[F]")));               // not an index symbol: 0
        assertEquals(16 * 2, SelfiesGrammar.index(java.util.Arrays.asList("[Ring2]", null))); // missing: 0
        for (int q = 0; q < 4096; q += 37) assertEquals(q, SelfiesGrammar.index(SelfiesGrammar.indexSymbols(q)));
    }

    @Test
    void encoderRefusesWhatSelfiesCannotWrite() {
        assertThrows(SelfiesException.class, () -> Selfies.encode("FCl(F)F"));   // Cl makes 3 bonds, at most 1
        assertThrows(SelfiesException.class, () -> Selfies.encode("c1cccc1"));   // no Kekulé structure
        assertThrows(SelfiesException.class, () -> Selfies.encode("C*C"));       // wildcard
        assertThrows(SelfiesException.class, () -> Selfies.encode("C$C"));       // quadruple bond
        assertThrows(SelfiesException.class, () -> Selfies.encode("C1.C1"));     // ring bond across '.'
        assertThrows(SelfiesException.class, () -> Selfies.encode("C(C"));
        assertThrows(SelfiesException.class, () -> Selfies.encode(""));
        assertEquals("[F][Cl][Branch1][C][F][F]", new SelfiesEncoder(SelfiesConstraints.HYPERVALENT, true).encode("FCl(F)F"));
        assertEquals("FCl(F)F", new SelfiesDecoder(SelfiesConstraints.HYPERVALENT).decode("[F][Cl][Branch1][C][F][F]"));
        assertEquals("FCl", Selfies.decode("[F][Cl][Branch1][C][F][F]"));         // by default Cl makes one bond
    }

    @Test
    void decoderRefusesUnknownSymbols() {
        assertThrows(SelfiesException.class, () -> Selfies.decode("[C][Xx]"));
        assertThrows(SelfiesException.class, () -> Selfies.decode("[C][Branch4]"));
        assertThrows(SelfiesException.class, () -> Selfies.decode("[C][CH5]"));    // more H than C can bond
        assertThrows(SelfiesException.class, () -> Selfies.decode("[C"));
    }

    @Test
    void tokens() {
        assertEquals(List.of("[C]", "[=C]", ".", "[O-1]"), Selfies.tokens("[C][=C].[O-1]"));
        assertEquals(List.of(), Selfies.tokens(""));
        assertThrows(SelfiesException.class, () -> Selfies.tokens("C[O]"));
    }

    @Test
    void constraints() {
        SelfiesConstraints c = SelfiesConstraints.DEFAULT;
        assertEquals(4, c.capacity("N", 1));
        assertEquals(1, c.capacity("O", -1));
        assertEquals(5, c.capacity("C", 1));
        assertEquals(3, SelfiesConstraints.RDKIT_CHARGES.capacity("C", 1));
        assertEquals(8, c.capacity("Xe", -2));
        assertEquals(2, SelfiesConstraints.OCTET_RULE.capacity("S", 0));
    }

    @Test
    void alphabetAndTokenIds() {
        SelfiesAlphabet a = SelfiesAlphabet.of(List.of("[C][O]", "[C].[N]"));
        assertEquals(List.of("[nop]", ".", "[C]", "[N]", "[O]"), a.symbols());
        int[] row = a.encode("[C][O]", 4);
        assertArrayEquals(new int[]{2, 4, 0, 0}, row);
        assertEquals(List.of("[C]", "[O]"), a.decode(row, 0, 4));
        assertEquals("CO", Selfies.decode(row, 0, 4, a.symbols()));
        // PAD is skipped wherever it stands, and only the given window is read
        int[] ids = {3, 2, 0, 4, 0, 2};
        assertEquals("CO", Selfies.decode(ids, 1, 4, a.symbols()));
        assertEquals("NCO", Selfies.decode(new long[]{3, 2, 0, 4}, 0, 4, a.symbols()));
        assertThrows(IllegalArgumentException.class, () -> Selfies.decode(new int[]{7}, 0, 1, a.symbols()));
        assertThrows(IllegalArgumentException.class, () -> a.encode("[C][O][C]", 2));
        SelfiesAlphabet more = a.plus(Selfies.branchAndRingSymbols());
        assertEquals(5 + 18, more.size());
        assertEquals("[nop]", more.symbol(SelfiesAlphabet.PAD));
        assertEquals(more, new SelfiesAlphabet(more.symbols()));
    }
}
