package org.svdd.diffusion.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Promoter windows as tokens A=0, C=1, G=2, T=3: {@code tokens} holds {@code count} windows of {@code length} tokens
 * one after another; {@code ids} names the FASTA record each window came from.
 *
 * <p>The source is Biostrings' {@code dm3_upstream2000.fa.gz}: 26,454 fruit-fly sequences of the 2,000 bp upstream of
 * a transcription start, written in the direction of transcription, so the last bases are the nearest to the start.
 */
public record DnaDataset(int[] tokens, int count, int length, List<String> ids) {
    /** The letters of tokens 0..3. */
    public static final String ALPHABET = "ACGT";
    /** Window length the models use unless told otherwise. */
    public static final int DEFAULT_LENGTH = 128;
    /** The fly promoters as installed by the Debian package r-bioc-biostrings. */
    public static final Path DM_UPSTREAM_SYSTEM = Path.of("/usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz");

    public DnaDataset {
        if (count < 0 || length <= 0 || tokens.length != (long) count * length || ids.size() != count) {
            throw new IllegalArgumentException(count + " windows of " + length + " do not match " + tokens.length + " tokens and " + ids.size() + " ids");
        }
        ids = List.copyOf(ids);
    }

    /** A training set and a validation set that share no window. */
    public record Split(DnaDataset train, DnaDataset validation) {
    }

    /** {@code $SVDD_DATA/dm3_upstream2000.fa.gz}, else {@link #DM_UPSTREAM_SYSTEM}; null if neither exists. */
    public static Path locateDmUpstream() {
        return DataFiles.locate(DM_UPSTREAM_SYSTEM.getFileName().toString(), List.of(DM_UPSTREAM_SYSTEM));
    }

    /** The promoter windows of a FASTA file, split as {@link #windows} does. */
    public static Split promoters(Path fasta, int length, double validationFraction, long seed) throws IOException {
        return windows(Fasta.read(fasta), length, validationFraction, seed);
    }

    /**
     * The last {@code length} bases of each record, upper-cased; records shorter than that and windows with N (or any
     * letter outside ACGT) are dropped. A window goes to validation when a seeded hash of its bases falls below
     * {@code validationFraction}: the split is the same on every run and machine for a seed, and identical windows
     * (alternative transcripts of one start share them) always land on the same side.
     */
    public static Split windows(List<Fasta.Record> records, int length, double validationFraction, long seed) {
        if (length <= 0) throw new IllegalArgumentException("window length must be positive: " + length);
        if (!(validationFraction >= 0 && validationFraction <= 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1]: " + validationFraction);
        Builder train = new Builder(length), validation = new Builder(length);
        for (Fasta.Record r : records) {
            String window = window(r.sequence(), length);
            int[] tokens = window == null ? null : encode(window);
            if (tokens == null) continue;
            (unitHash(window, seed) < validationFraction ? validation : train).add(r.id(), tokens);
        }
        return new Split(train.build(), validation.build());
    }

    /** The last {@code length} letters of a sequence, upper-cased, or null if it is shorter. */
    public static String window(String sequence, int length) {
        return sequence.length() < length ? null : sequence.substring(sequence.length() - length).toUpperCase();
    }

    /** Tokens of a DNA string (either case), or null if it has a letter outside ACGT. */
    public static int[] encode(CharSequence s) {
        int[] t = new int[s.length()];
        for (int i = 0; i < t.length; i++) {
            int k = ALPHABET.indexOf(Character.toUpperCase(s.charAt(i)));
            if (k < 0) return null;
            t[i] = k;
        }
        return t;
    }

    /** The letters of {@code tokens[from .. from + length)}. */
    public static String decode(int[] tokens, int from, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append(ALPHABET.charAt(tokens[from + i]));
        return b.toString();
    }

    /** A hash of the string and the seed mapped to [0, 1): FNV-1a, then the SplitMix64 finaliser for good mixing. */
    static double unitHash(String s, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (int i = 0; i < s.length(); i++) h = (h ^ s.charAt(i)) * 0x100000001b3L;
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Collects windows for one side of the split. */
    private static final class Builder {
        private final int length;
        private final List<String> ids = new ArrayList<>();
        private final List<int[]> rows = new ArrayList<>();

        Builder(int length) {
            this.length = length;
        }

        void add(String id, int[] tokens) {
            ids.add(id);
            rows.add(tokens);
        }

        DnaDataset build() {
            int[] all = new int[rows.size() * length];
            for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * length, length);
            return new DnaDataset(all, rows.size(), length, ids);
        }
    }
}
