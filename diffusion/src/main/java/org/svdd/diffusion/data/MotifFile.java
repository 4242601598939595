package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * JASPAR count matrices, in either of the two layouts PWMEnrich ships: a header line {@code >ID NAME} followed by
 * four rows of counts for A, C, G and T, one column per motif position, written either bare
 * ({@code 4\t19\t0}, as in {@code pfm_vertebrates.txt}) or with the base and brackets
 * ({@code A  [ 4 19  0 ]}, as in {@code jaspar-insecta.jaspar}). Blank lines are skipped.
 */
public final class MotifFile {
    /** 205 JASPAR CORE vertebrate matrices (TBP, SP1, NRF1, YY1, CREB1, ...). */
    public static final String VERTEBRATES = "pfm_vertebrates.txt";
    /** 126 JASPAR insect matrices (Trl, bcd, hb, eve, ...). */
    public static final String INSECTS = "jaspar-insecta.jaspar";
    /** Where the Debian package r-bioc-pwmenrich installs both files. */
    public static final Path PWMENRICH_SYSTEM = Path.of("/usr/lib/R/site-library/PWMEnrich/extdata");

    private static final String BASES = "ACGT";
    private static final double UNIFORM = 0.25;

    private MotifFile() {
    }

    /**
     * A motif's counts: {@code counts[position][base]}, bases in the order A, C, G, T. Columns need not sum to the
     * same total (some JASPAR matrices do not).
     */
    public record Motif(String id, String name, double[][] counts) {
        public Motif {
            if (counts.length == 0) throw new IllegalArgumentException(id + ": motif without positions");
            for (double[] column : counts) {
                if (column.length != 4) throw new IllegalArgumentException(id + ": a position needs 4 counts (A, C, G, T), has " + column.length);
                for (double c : column) {
                    if (!(c >= 0)) throw new IllegalArgumentException(id + ": negative or NaN count " + c);
                }
            }
        }

        /** Number of positions. */
        public int length() {
            return counts.length;
        }

        /**
         * The log-odds weight matrix, {@code [position][base]} in bits against a uniform background:
         * {@code log2(p / 0.25)} with {@code p = (count + pseudocount) / (column total + 4 pseudocount)}.
         * The score of a site is the sum of its bases' weights.
         */
        public double[][] logOdds(double pseudocount) {
            if (!(pseudocount > 0)) throw new IllegalArgumentException("pseudocount must be positive: " + pseudocount);
            double[][] w = new double[counts.length][4];
            for (int i = 0; i < counts.length; i++) {
                double total = 0;
                for (double c : counts[i]) total += c;
                for (int b = 0; b < 4; b++) {
                    double p = (counts[i][b] + pseudocount) / (total + 4 * pseudocount);
                    w[i][b] = Math.log(p / UNIFORM) / Math.log(2);
                }
            }
            return w;
        }
    }

    /** {@code $SVDD_DATA/<fileName>}, else the file in {@link #PWMENRICH_SYSTEM}; null if neither exists. */
    public static Path locate(String fileName) {
        return DataFiles.locate(fileName, List.of(PWMENRICH_SYSTEM.resolve(fileName)));
    }

    /**
     * The motifs of {@link #VERTEBRATES} or {@link #INSECTS}: from {@link #locate} where the file is there, else from
     * the copy shipped in this jar (the same files, from PWMEnrich 4.34.0; JASPAR data, CC BY 4.0: see NOTICE), so
     * that motif rewards need no installed data set.
     */
    public static List<Motif> load(String fileName) throws IOException {
        Path file = locate(fileName);
        if (file != null) return read(file);
        InputStream in = MotifFile.class.getResourceAsStream("jaspar/" + fileName);
        if (in == null) throw new IOException("no motif file " + fileName + " (known: " + VERTEBRATES + ", " + INSECTS + ")");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
            return read(r, "jar:" + fileName);
        }
    }

    /** The first motif with this name (exact, case-sensitive: JASPAR names are), if any. */
    public static Optional<Motif> byName(List<Motif> motifs, String name) {
        return motifs.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** All motifs of a file (gzip-compressed or plain), in file order. */
    public static List<Motif> read(Path file) throws IOException {
        try (BufferedReader r = DataFiles.reader(file)) {
            return read(r, file.toString());
        }
    }

    /** All motifs of a reader's lines; {@code source} names them in error messages. */
    private static List<Motif> read(BufferedReader r, String source) throws IOException {
        List<Motif> out = new ArrayList<>();
        String id = null, name = null;
        List<double[]> rows = new ArrayList<>();
        String line;
        for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
            String where = source + ":" + lineNo + ": ";
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.startsWith(">")) {
                if (id != null) out.add(motif(source, id, name, rows));
                String[] header = line.substring(1).strip().split("\\s+", 2);
                if (header[0].isEmpty()) throw new IOException(where + "empty motif header");
                id = header[0];
                name = header.length > 1 ? header[1] : "";
                rows.clear();
            } else {
                if (id == null) throw new IOException(where + "counts before the first '>' header");
                if (rows.size() == 4) throw new IOException(where + "a fifth row of counts in motif " + id);
                rows.add(countRow(line, BASES.charAt(rows.size()), where));
            }
        }
        if (id != null) out.add(motif(source, id, name, rows));
        return out;
    }

    /** One row of counts, with or without the leading base letter and the brackets. */
    private static double[] countRow(String line, char base, String where) throws IOException {
        String s = line;
        if (Character.isLetter(s.charAt(0))) {
            if (Character.toUpperCase(s.charAt(0)) != base) throw new IOException(where + "expected the row of " + base + ", found: " + line);
            s = s.substring(1).strip();
        }
        if (s.startsWith("[")) {
            if (!s.endsWith("]")) throw new IOException(where + "unclosed '[': " + line);
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.isEmpty()) throw new IOException(where + "no counts in row: " + line);
        String[] items = s.split("\\s+");
        double[] row = new double[items.length];
        for (int i = 0; i < items.length; i++) {
            try {
                row[i] = Double.parseDouble(items[i]);
            } catch (NumberFormatException e) {
                throw new IOException(where + "not a count: '" + items[i] + "'");
            }
        }
        return row;
    }

    /** Transposes the four base rows into positions, checking that there are four rows of one length. */
    private static Motif motif(String file, String id, String name, List<double[]> rows) throws IOException {
        if (rows.size() != 4) throw new IOException(file + ": motif " + id + " has " + rows.size() + " rows of counts, expected 4 (A, C, G, T)");
        int n = rows.getFirst().length;
        double[][] counts = new double[n][4];
        for (int b = 0; b < 4; b++) {
            if (rows.get(b).length != n) throw new IOException(file + ": motif " + id + ": row " + BASES.charAt(b) + " has " + rows.get(b).length + " counts, row A has " + n);
            for (int i = 0; i < n; i++) counts[i][b] = rows.get(b)[i];
        }
        try {
            return new Motif(id, name, counts);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
