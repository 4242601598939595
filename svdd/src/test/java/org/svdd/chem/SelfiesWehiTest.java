package org.svdd.chem;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openscience.cdk.exception.CDKException;
import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.silent.SilentChemObjectBuilder;
import org.openscience.cdk.smarts.SmartsPattern;
import org.openscience.cdk.smiles.SmiFlavor;
import org.openscience.cdk.smiles.SmilesGenerator;
import org.openscience.cdk.smiles.SmilesParser;
import org.svdd.diffusion.data.SmilesFile;
import org.svdd.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SELFIES on the 10,000 WEHI molecules (rdkit-data), and the robustness property on random symbol sequences.
 *
 * <p>Round trip: 9,984 of 10,000 (99.84%) come back as the same molecule (CDK canonical SMILES with Daylight
 * aromaticity). The 16 exceptions are all refused by the encoder, none decodes to another molecule: each has an
 * aromatic sulfone sulfur, {@code s(=O)=O} inside an aromatic ring (benzothiophene dioxides, benzisothiazole
 * dioxides), which CDK cannot kekulise (nor can the selfies package; RDKit can).
 *
 * <p>With {@code -Dselfies.dump=DIR} the tests write {@code DIR/wehi.tsv} and {@code DIR/random.tsv} for
 * svdd/src/test/python/selfies_crosscheck.py, which compares them with the selfies package.
 */
class SelfiesWehiTest {
    /** Symbols for the property test when WEHI is not installed: common atoms, charged atoms and H-bearing ones. */
    private static final List<String> FALLBACK_SYMBOLS = List.of("[C]", "[=C]", "[#C]", "[N]", "[=N]", "[#N]", "[O]", "[=O]", "[S]", "[=S]",
            "[F]", "[Cl]", "[Br]", "[I]", "[P]", "[=P]", "[B]", "[NH1]", "[N+1]", "[=N+1]", "[O-1]", "[N-1]", "[CH0]", ".", "[nop]");

    private static List<String> wehi;
    private static SelfiesAlphabet wehiAlphabet;
    private static final ThreadLocal<SmilesParser> PARSER = ThreadLocal.withInitial(() -> new SmilesParser(SilentChemObjectBuilder.getInstance()));

    @BeforeAll
    static void readWehi() throws IOException {
        Path csv = SmilesFile.locateWehi();
        if (csv == null) return;
        wehi = SmilesFile.read(csv).smiles();
        List<String> encodable = new ArrayList<>();
        for (String s : wehi) {
            try {
                encodable.add(Selfies.encode(s));
            } catch (SelfiesException e) {
                // counted and explained by the round-trip test
            }
        }
        wehiAlphabet = SelfiesAlphabet.of(encodable);
    }

    /** CDK canonical SMILES with Daylight aromaticity, so that two Kekulé forms of one molecule agree. */
    private static String canonical(String smiles) throws CDKException {
        IAtomContainer mol = PARSER.get().parseSmiles(smiles);
        SmartsPattern.prepare(mol);
        return new SmilesGenerator(SmiFlavor.Canonical | SmiFlavor.UseAromaticSymbols).create(mol);
    }

    private static Path dumpFolder() throws IOException {
        String dir = System.getProperty("selfies.dump");
        if (dir == null || dir.isBlank()) return null;
        return Files.createDirectories(Path.of(dir));
    }

    private record Outcome(String smiles, String selfies, String decoded, String problem) {
    }

    @Test
    void wehiRoundTrip() throws IOException {
        assumeTrue(wehi != null, "WEHI molecules not installed (Debian rdkit-data, or $SVDD_DATA/wehi_mols.csv): round trip skipped");
        List<Outcome> outcomes = IntStream.range(0, wehi.size()).parallel().mapToObj(i -> roundTrip(wehi.get(i))).toList();
        Map<String, List<String>> exceptions = new TreeMap<>();
        int same = 0, mismatched = 0;
        StringBuilder dump = new StringBuilder();
        for (Outcome o : outcomes) {
            if (o.problem() == null) {
                same++;
                dump.append(o.smiles()).append('\t').append(o.selfies()).append('\t').append(o.decoded()).append('\n');
            } else {
                if (o.selfies() != null) mismatched++;
                String reason = o.problem().replaceAll("'[^']*'", "...");
                exceptions.computeIfAbsent(reason, k -> new ArrayList<>()).add(o.smiles());
            }
        }
        double rate = (double) same / wehi.size();
        StringBuilder report = new StringBuilder(String.format("SELFIES round trip on WEHI: %d/%d (%.2f%%) the same molecule; %d decoded to another molecule%n",
                same, wehi.size(), 100 * rate, mismatched));
        exceptions.forEach((reason, smiles) -> report.append(String.format("  %d x %s%n", smiles.size(), reason)).append("      e.g. ").append(String.join("  ", smiles.subList(0, Math.min(3, smiles.size())))).append('\n'));
        System.out.print(report);
        Path dir = dumpFolder();
        if (dir != null) Files.writeString(dir.resolve("wehi.tsv"), dump);
        assertTrue(rate >= 0.995, report.toString());
        assertEquals(0, mismatched, report.toString());
    }

    private static Outcome roundTrip(String smiles) {
        String selfies;
        try {
            selfies = Selfies.encode(smiles);
        } catch (SelfiesException e) {
            return new Outcome(smiles, null, null, "encoder refuses: " + e.getMessage());
        }
        String decoded = Selfies.decode(selfies);
        try {
            String in = canonical(smiles), out = canonical(decoded);
            return new Outcome(smiles, selfies, decoded, in.equals(out) ? null : "decodes to another molecule: " + in + " -> " + out);
        } catch (CDKException e) {
            return new Outcome(smiles, selfies, decoded, "CDK cannot read the decoded SMILES: " + e.getMessage());
        }
    }

    /**
     * Robustness: 2,000 seeded random sequences (1 to 80 symbols) over the WEHI alphabet (else a fixed one) plus the
     * branch and ring symbols all decode to SMILES that CDK reads, with every atom within its bonding capacity, and that
     * {@link Molecules} (RDKit's validity) accepts; a sequence without atom symbols decodes to "".
     */
    @Test
    void randomSequencesDecodeToValidMolecules() throws IOException {
        SelfiesAlphabet alphabet = (wehiAlphabet != null ? wehiAlphabet : new SelfiesAlphabet(List.of(Selfies.NOP)).plus(FALLBACK_SYMBOLS))
                .plus(Selfies.branchAndRingSymbols());
        if (wehiAlphabet == null) System.out.println("WEHI not installed: random sequences over a fixed alphabet of " + alphabet.size());
        SelfiesDecoder decoder = new SelfiesDecoder(SelfiesConstraints.DEFAULT);
        Rng rng = new Rng(20200101L);
        StringBuilder dump = new StringBuilder();
        int empty = 0, atoms = 0, rings = 0;
        for (int n = 0; n < 2000; n++) {
            int length = 1 + rng.nextInt(80);
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) ids[i] = rng.nextInt(alphabet.size());
            List<String> symbols = alphabet.decode(ids, 0, length);
            String sequence = String.join("", symbols);
            SelfiesGraph graph = decoder.derive(symbols);
            String smiles = graph.toSmiles();
            assertEquals(smiles, Selfies.decode(ids, 0, length, alphabet.symbols()), sequence);
            dump.append(sequence).append('\t').append(smiles).append('\n');
            if (graph.size() == 0) {
                assertTrue(symbols.stream().allMatch(s -> s.equals(".") || SelfiesGrammar.isBranch(s) || SelfiesGrammar.isRing(s)),
                        "no atoms from a sequence with atom symbols: " + sequence);
                empty++;
                continue;
            }
            checkWithinCapacities(sequence, smiles, graph);
            assertTrue(Molecules.isValid(smiles), "not a valid molecule: " + sequence + " -> " + smiles);
            atoms += graph.size();
            rings += IntStream.range(0, graph.size()).anyMatch(graph::hasRingBond) ? 1 : 0;
        }
        System.out.printf("2000 random SELFIES over %d symbols: all valid; %d empty, %d atoms in all, %d with rings%n", alphabet.size(), empty, atoms, rings);
        Path dir = dumpFolder();
        if (dir != null) Files.writeString(dir.resolve("random.tsv"), dump);
    }

    /** CDK reads the SMILES atom for atom as derived, and each atom's bonds stay within its bonding capacity. */
    private static void checkWithinCapacities(String sequence, String smiles, SelfiesGraph graph) {
        IAtomContainer mol;
        try {
            mol = PARSER.get().parseSmiles(smiles);
        } catch (CDKException e) {
            fail("CDK cannot read " + smiles + " decoded from " + sequence + ": " + e.getMessage());
            return;
        }
        assertEquals(graph.size(), mol.getAtomCount(), smiles);
        for (int i = 0; i < graph.size(); i++) {
            SelfiesGraph.Atom expected = graph.atom(i);
            IAtom atom = mol.getAtom(i);
            assertEquals(expected.element, atom.getSymbol(), smiles);
            int bonds = 0;
            for (IBond b : atom.bonds()) bonds += b.getOrder().numeric();
            int capacity = expected.capacity(SelfiesConstraints.DEFAULT);
            assertTrue(bonds <= capacity, "atom " + i + " of " + smiles + " makes " + bonds + " bonds, capacity " + capacity + "; from " + sequence);
            if (expected.hCount != SelfiesGraph.IMPLICIT) assertEquals(expected.hCount, atom.getImplicitHydrogenCount(), smiles);
            assertNotNull(atom.getImplicitHydrogenCount(), smiles);
        }
    }

    @Test
    void wehiAlphabetIsSmall() {
        assumeTrue(wehiAlphabet != null, "WEHI molecules not installed: alphabet check skipped");
        TreeSet<String> atoms = new TreeSet<>(wehiAlphabet.symbols());
        atoms.removeIf(s -> SelfiesGrammar.isBranch(s) || SelfiesGrammar.isRing(s));
        System.out.println("WEHI SELFIES alphabet: " + wehiAlphabet.size() + " symbols " + wehiAlphabet.symbols());
        assertTrue(wehiAlphabet.size() < 60, wehiAlphabet.toString());
        assertTrue(atoms.containsAll(List.of("[C]", "[=C]", "[N]", "[=O]", "[NH1]", "[N+1]", "[O-1]", "[Cl]")), atoms.toString());
    }
}
