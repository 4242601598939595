package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.smarts.SmartsPattern;
import org.openscience.cdk.tools.manipulator.AtomContainerManipulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Wildman-Crippen logP as RDKit computes it ({@code Crippen.MolLogP}), from RDKit's own parameter file
 * {@code Crippen.txt} read at run time: hydrogens are made explicit, then every atom takes the logP contribution of the
 * first rule (in file order) whose SMARTS matches with that atom as the pattern's first atom; logP is the sum.
 * <pre>
 *   Crippen.txt line:  label TAB SMARTS TAB logP TAB MR TAB notes     ('#' starts a comment line; empty logP = 0)
 * </pre>
 * RDKit itself does not read the file: it computes with a table compiled into its library, which (in 2022.09, the
 * Debian version) differs from the shipped file in two H2 rules only, written with aliphatic-only element symbols in
 * the file ({@code [#1][!C;!N;!O]}) and with atomic numbers in the library ({@code [#1][!#6;!#7;!#8]}). With the file's
 * version, the hydrogen of an aromatic [nH] is typed H2 (-0.2677) instead of H3 (0.2142), 0.48 lower, on about one
 * WEHI molecule in nine. {@link #read(Path)} therefore replaces those two SMARTS by the library's
 * ({@link #RDKIT_LIBRARY_SMARTS}); {@link #read(Path, boolean)} can keep the file verbatim.
 *
 * <p>Wildman and Crippen, J. Chem. Inf. Comput. Sci. 39 (1999) 868. SMARTS matching is CDK's, on the Daylight
 * aromaticity model, so logP can differ from RDKit's where the two aromaticity models differ.
 */
public final class Crippen {
    /** Environment variable naming a folder that overrides the default data locations (as for the data sets). */
    public static final String ENV = "SVDD_DATA";
    /** The parameter file as installed by the Debian package rdkit-data. */
    public static final Path SYSTEM = Path.of("/usr/share/RDKit/Data/Crippen.txt");

    /** File SMARTS -> the SMARTS RDKit's compiled-in table has for the same rule (see the class comment). */
    public static final Map<String, String> RDKIT_LIBRARY_SMARTS = Map.of(
            "[#1]O[!C;!N;!O;!S]", "[#1]O[!#6;!#7;!#8;!#16]",
            "[#1][!C;!N;!O]", "[#1][!#6;!#7;!#8]");

    /** One atom type: its label (C1, H2, N13, ...), SMARTS, and logP contribution. */
    public record Rule(String label, String smarts, double logP) {
    }

    private final List<Rule> rules;
    /**
     * rule i as the one-atom pattern [$(smarts)]: matches exactly the atoms that are the smarts's first atom in a match.
     * One set per thread (CDK does not promise that a pattern may match on two threads at once); this thread's set is
     * compiled here, so a bad SMARTS fails now.
     */
    private final ThreadLocal<List<SmartsPattern>> rooted;

    private Crippen(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.rooted = ThreadLocal.withInitial(() -> this.rules.stream().map(r -> SmartsPattern.create("[$(" + r.smarts() + ")]").setPrepare(false)).toList());
        rooted.get();
    }

    /** {@code $SVDD_DATA/Crippen.txt}, else {@link #SYSTEM}; null if neither exists. */
    public static Path locate() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).resolve(SYSTEM.getFileName().toString());
            if (Files.exists(p)) return p;
        }
        return Files.exists(SYSTEM) ? SYSTEM : null;
    }

    /** The rules of a Crippen.txt file with RDKit's two library corrections: logP as RDKit computes it. */
    public static Crippen read(Path file) throws IOException {
        return read(file, true);
    }

    /**
     * The rules of a Crippen.txt file, with the SMARTS of {@link #RDKIT_LIBRARY_SMARTS} replaced when
     * {@code asRdkitLibrary}, else verbatim; a malformed line is an error naming the file and line.
     */
    public static Crippen read(Path file, boolean asRdkitLibrary) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), asRdkitLibrary);
        }
    }

    /** The rules of a reader's lines; {@code file} names them in error messages. */
    private static Crippen read(BufferedReader r, String file, boolean asRdkitLibrary) throws IOException {
        List<Rule> rules = new ArrayList<>();
        String line;
        for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length < 3 || f[0].isBlank() || f[1].isBlank()) {
                throw new IOException(file + ":" + lineNo + ": expected label, SMARTS and logP separated by tabs, found: " + line);
            }
            try {
                String smarts = f[1].trim();
                if (asRdkitLibrary) smarts = RDKIT_LIBRARY_SMARTS.getOrDefault(smarts, smarts);
                rules.add(new Rule(f[0].trim(), smarts, f[2].isBlank() ? 0 : Double.parseDouble(f[2].trim())));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + lineNo + ": logP '" + f[2] + "' is not a number");
            }
        }
        if (rules.isEmpty()) throw new IOException(file + ": no Crippen rules");
        try {
            return new Crippen(rules);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static final class Standard {
        static final Crippen INSTANCE = load();

        private static Crippen load() {
            Path file = locate();
            try {
                if (file != null) return read(file);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(Crippen.class.getResourceAsStream(SYSTEM.getFileName().toString()), StandardCharsets.UTF_8))) {
                    return read(r, "jar:" + SYSTEM.getFileName(), true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The rules of the located Crippen.txt, else of the copy shipped in this jar (RDKit 2022.09.3's, BSD-3-clause:
     * see NOTICE), read once.
     */
    public static Crippen standard() {
        return Standard.INSTANCE;
    }

    /** Crippen logP of a molecule from {@link Molecules#parse}, with the {@link #standard} rules. */
    public static double logP(IAtomContainer mol) {
        return standard().compute(mol);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** logP of a molecule from {@link Molecules#parse} (which is not modified): the sum of {@link #contributions}. */
    public double compute(IAtomContainer mol) {
        double sum = 0;
        for (double c : contributions(mol)) sum += c;
        return sum;
    }

    /**
     * The contribution of each atom of the molecule with explicit hydrogens: heavy atoms first in their order, then
     * the hydrogens. An atom no rule matches contributes 0 (the file's last rules of each element catch everything).
     */
    public double[] contributions(IAtomContainer mol) {
        int[] rule = assign(withHydrogens(mol));
        double[] contrib = new double[rule.length];
        for (int a = 0; a < rule.length; a++) contrib[a] = rule[a] < 0 ? 0 : rules.get(rule[a]).logP();
        return contrib;
    }

    /** The atom type label (C1, H3, N11, ...) of each atom in the order of {@link #contributions}; "" where none matches. */
    public List<String> atomTypes(IAtomContainer mol) {
        return Arrays.stream(assign(withHydrogens(mol))).mapToObj(r -> r < 0 ? "" : rules.get(r).label()).toList();
    }

    private static IAtomContainer withHydrogens(IAtomContainer mol) {
        IAtomContainer h;
        try {
            h = mol.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
        AtomContainerManipulator.convertImplicitToExplicitHydrogens(h);
        SmartsPattern.prepare(h);
        return h;
    }

    /** The index of the first rule matching each atom as the rule's first atom, or -1. */
    private int[] assign(IAtomContainer h) {
        int n = h.getAtomCount();
        int[] rule = new int[n];
        Arrays.fill(rule, -1);
        int left = n;
        List<SmartsPattern> patterns = rooted.get();
        for (int i = 0; i < rules.size() && left > 0; i++) {
            for (int[] match : patterns.get(i).matchAll(h)) {
                if (rule[match[0]] < 0) {
                    rule[match[0]] = i;
                    left--;
                }
            }
        }
        return rule;
    }
}
