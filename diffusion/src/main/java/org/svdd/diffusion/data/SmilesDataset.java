package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Molecules as SMILES strings tokenised one character a token. {@code tokens} holds {@code count} rows of
 * {@code length} tokens; token {@link #PAD} fills each row after its SMILES, and token {@code 1 + i} is the
 * character {@code alphabet.charAt(i)}, the alphabet being the sorted distinct characters of the data set.
 *
 * <p>The source is rdkit-data's {@code wehi_mols.csv}: 10,000 lines of {@code "SMILES","WEHI-id"}, no header.
 */
public record SmilesDataset(int[] tokens, int count, int length, String alphabet, List<String> smiles, List<String> ids) {
    /** The padding token. */
    public static final int PAD = 0;
    /** The WEHI molecules as installed by the Debian package rdkit-data. */
    public static final Path WEHI_SYSTEM = Path.of("/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv");

    public SmilesDataset {
        if (count < 0 || length <= 0 || tokens.length != (long) count * length || smiles.size() != count || ids.size() != count) {
            throw new IllegalArgumentException(count + " molecules of " + length + " tokens do not match " + tokens.length + " tokens, " + smiles.size() + " SMILES and " + ids.size() + " ids");
        }
        smiles = List.copyOf(smiles);
        ids = List.copyOf(ids);
    }

    /** {@code $SVDD_DATA/wehi_mols.csv}, else {@link #WEHI_SYSTEM}; null if neither exists. */
    public static Path locateWehi() {
        return DataFiles.locate(WEHI_SYSTEM.getFileName().toString(), List.of(WEHI_SYSTEM));
    }

    /**
     * The molecules of a two-column CSV file ({@code SMILES,id}, fields optionally in double quotes, no header) whose
     * SMILES have at most {@code maxLength} characters, padded to {@code maxLength}; longer ones are left out.
     */
    public static SmilesDataset read(Path csv, int maxLength) throws IOException {
        List<String> smiles = new ArrayList<>(), ids = new ArrayList<>();
        try (BufferedReader r = DataFiles.reader(csv)) {
            String line;
            for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
                if (line.isBlank()) continue;
                List<String> fields = csvFields(line);
                if (fields.size() != 2 || fields.get(0).isEmpty()) {
                    throw new IOException(csv + ":" + lineNo + ": expected two fields \"SMILES\",\"id\", found: " + line);
                }
                if (fields.get(0).length() > maxLength) continue;
                smiles.add(fields.get(0));
                ids.add(fields.get(1));
            }
        }
        return of(smiles, ids, maxLength);
    }

    /** Tokenises SMILES (each at most {@code length} characters) over the alphabet of their own characters. */
    public static SmilesDataset of(List<String> smiles, List<String> ids, int length) {
        TreeSet<Character> chars = new TreeSet<>();
        for (String s : smiles) {
            if (s.length() > length) throw new IllegalArgumentException("SMILES longer than " + length + ": " + s);
            for (int i = 0; i < s.length(); i++) chars.add(s.charAt(i));
        }
        StringBuilder b = new StringBuilder();
        chars.forEach(b::append);
        String alphabet = b.toString();
        int[] tokens = new int[smiles.size() * length];
        for (int m = 0; m < smiles.size(); m++) tokenise(alphabet, smiles.get(m), tokens, m * length);
        return new SmilesDataset(tokens, smiles.size(), length, alphabet, smiles, ids);
    }

    /** Number of distinct tokens: the alphabet plus {@link #PAD}. */
    public int vocabSize() {
        return alphabet.length() + 1;
    }

    /** The tokens of a SMILES padded to {@link #length}; fails on a character outside the alphabet or a longer string. */
    public int[] encode(String s) {
        if (s.length() > length) throw new IllegalArgumentException("SMILES longer than " + length + ": " + s);
        int[] t = new int[length];
        tokenise(alphabet, s, t, 0);
        return t;
    }

    /** The characters of {@code tokens[from .. from + length)}, skipping {@link #PAD} tokens. */
    public String decode(int[] tokens, int from) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int t = tokens[from + i];
            if (t != PAD) b.append(alphabet.charAt(t - 1));
        }
        return b.toString();
    }

    /** Writes the tokens of {@code s} to {@code out} from {@code offset}; what follows stays as it is (PAD in a fresh array). */
    private static void tokenise(String alphabet, String s, int[] out, int offset) {
        for (int i = 0; i < s.length(); i++) {
            int k = alphabet.indexOf(s.charAt(i));
            if (k < 0) throw new IllegalArgumentException("character '" + s.charAt(i) + "' of " + s + " is not in the alphabet " + alphabet);
            out[offset + i] = 1 + k;
        }
    }

    /** The fields of one CSV line: comma-separated, each optionally in double quotes with {@code ""} for a quote. */
    private static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c != '"') f.append(c);
                else if (i + 1 < line.length() && line.charAt(i + 1) == '"') f.append(line.charAt(++i));
                else quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields;
    }
}
