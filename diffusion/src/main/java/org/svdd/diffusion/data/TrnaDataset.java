package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * tRNA sequences as tokens A=0, C=1, G=2, U=3, padded at the end with {@link #PAD} = 4 to a fixed length: {@code tokens}
 * holds {@code count} rows of {@code length} tokens; {@code ids} names each row's sequence in the alignment. Padding,
 * not an end token, marks where a sequence stops: the model learns to put PAD after the 3' end.
 *
 * <p>The source is Infernal's test alignment {@code tRNA1415G.sto} (Debian package infernal): 1,415 tRNAs of 62 to
 * 122 nucleotides in Stockholm format, with their consensus secondary structure.
 */
public record TrnaDataset(int[] tokens, int count, int length, List<String> ids) {
    /** The letters of tokens 0..3. */
    public static final String ALPHABET = "ACGU";
    /** The padding token after a sequence's end. */
    public static final int PAD = 4;
    /** Row length of the models: the longest tRNA (122 nt) fits. */
    public static final int LENGTH = 128;
    /** The alignment as installed by the Debian package infernal. */
    public static final Path SYSTEM = Path.of("/usr/share/doc/infernal/examples/testsuite/tRNA1415G.sto");
    /** The tRNA covariance model beside it: Infernal's model of the family's sequence and secondary structure. */
    public static final Path CM_SYSTEM = Path.of("/usr/share/doc/infernal/examples/testsuite/tRNA.c.cm");

    public TrnaDataset {
        if (count < 0 || length <= 0 || tokens.length != (long) count * length || ids.size() != count) {
            throw new IllegalArgumentException(count + " rows of " + length + " do not match " + tokens.length + " tokens and " + ids.size() + " ids");
        }
        ids = List.copyOf(ids);
    }

    /** The vocabulary of a model of these rows: the four bases and the padding "-". */
    public static final Vocabulary VOCABULARY = new Vocabulary(Vocabulary.Notation.RNA, List.of("A", "C", "G", "U", "-"));

    /** A training set and a held-out set that share no sequence. */
    public record Split(TrnaDataset train, TrnaDataset validation, int skipped) {
    }

    /** {@code $SVDD_DATA/tRNA1415G.sto}, else {@link #SYSTEM}; null if neither exists. */
    public static Path locate() {
        return DataFiles.locate(SYSTEM.getFileName().toString(), List.of(SYSTEM));
    }

    /** {@code $SVDD_DATA/tRNA.c.cm}, else {@link #CM_SYSTEM}; null if neither exists. */
    public static Path locateCm() {
        return DataFiles.locate(CM_SYSTEM.getFileName().toString(), List.of(CM_SYSTEM));
    }

    /**
     * The ungapped sequences of a Stockholm alignment (gaps ". - _ ~" removed, upper-cased, T read as U), padded to
     * {@code length}. Sequences with other letters (N) or longer than {@code length} are skipped and counted. A
     * sequence is held out when a seeded hash of it falls below {@code validationFraction}, so the split is the same on
     * every run for a seed and duplicates land on one side.
     */
    public static Split read(Path stockholm, int length, double validationFraction, long seed) throws IOException {
        Map<String, StringBuilder> aligned = stockholm(stockholm);
        List<int[]> trainRows = new ArrayList<>(), heldRows = new ArrayList<>();
        List<String> trainIds = new ArrayList<>(), heldIds = new ArrayList<>();
        int skipped = 0;
        for (Map.Entry<String, StringBuilder> e : aligned.entrySet()) {
            String s = e.getValue().toString().replaceAll("[.\\-_~]", "").toUpperCase(java.util.Locale.ROOT).replace('T', 'U');
            int[] row = encode(s, length);
            if (row == null) {
                skipped++;
                continue;
            }
            boolean held = DnaDataset.unitHash(s, seed) < validationFraction;
            (held ? heldRows : trainRows).add(row);
            (held ? heldIds : trainIds).add(e.getKey());
        }
        return new Split(of(trainRows, trainIds, length), of(heldRows, heldIds, length), skipped);
    }

    /** The tokens of an RNA sequence padded to length; null if it has a letter outside ACGU or is longer. */
    public static int[] encode(String s, int length) {
        if (s.length() > length) return null;
        int[] row = new int[length];
        java.util.Arrays.fill(row, PAD);
        for (int i = 0; i < s.length(); i++) {
            int k = ALPHABET.indexOf(s.charAt(i));
            if (k < 0) return null;
            row[i] = k;
        }
        return row;
    }

    /** The aligned rows of a Stockholm file by sequence name, blocks joined; mark-up lines (#) skipped. */
    static Map<String, StringBuilder> stockholm(Path file) throws IOException {
        Map<String, StringBuilder> rows = new LinkedHashMap<>();
        try (BufferedReader r = DataFiles.reader(file)) {
            String line = r.readLine();
            if (line == null || !line.startsWith("# STOCKHOLM")) throw new IOException(file + ": not a Stockholm alignment (no '# STOCKHOLM' header)");
            for (int lineNo = 2; (line = r.readLine()) != null; lineNo++) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("//")) continue;
                String[] f = line.trim().split("\\s+");
                if (f.length != 2) throw new IOException(file + ":" + lineNo + ": expected 'name aligned-sequence', found: " + line);
                rows.computeIfAbsent(f[0], k -> new StringBuilder()).append(f[1]);
            }
        }
        if (rows.isEmpty()) throw new IOException(file + ": no sequences");
        return rows;
    }

    private static TrnaDataset of(List<int[]> rows, List<String> ids, int length) {
        int[] tokens = new int[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, tokens, i * length, length);
        return new TrnaDataset(tokens, rows.size(), length, ids);
    }

    /** The tokens as longs, as the trainer takes them. */
    public long[] longTokens() {
        long[] t = new long[tokens.length];
        for (int i = 0; i < t.length; i++) t[i] = tokens[i];
        return t;
    }
}
