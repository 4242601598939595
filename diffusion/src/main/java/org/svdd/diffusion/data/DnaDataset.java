package org.svdd.diffusion.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DNA windows as tokens A=0, C=1, G=2, T=3: the last {@code length} bases before the transcription start of each
 * fly promoter, windows with N dropped, split deterministically into train and validation by a hash of the id.
 */
public record DnaDataset(long[] tokens, int count, int length, List<String> ids) {
    public static final String ALPHABET = "ACGT";

    public static DnaDataset promoters(int length, boolean validation) throws IOException {
        Path f = DataPaths.require(DataPaths.DM3_PROMOTERS, "fly promoters (dm3_upstream2000.fa.gz)");
        return fromFasta(Fasta.read(f), length, validation);
    }

    static DnaDataset fromFasta(List<Fasta.Record> records, int length, boolean validation) {
        List<long[]> rows = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Fasta.Record r : records) {
            if (r.sequence().length() < length) continue;
            if (((r.id().hashCode() & 0x7fffffff) % 10 == 0) != validation) continue;
            String w = r.sequence().substring(r.sequence().length() - length).toUpperCase();
            long[] t = encode(w);
            if (t != null) {
                rows.add(t);
                ids.add(r.id());
            }
        }
        long[] all = new long[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * length, length);
        return new DnaDataset(all, rows.size(), length, ids);
    }

    /** Tokens of a DNA string, or null if it has a letter outside ACGT. */
    public static long[] encode(String s) {
        long[] t = new long[s.length()];
        for (int i = 0; i < t.length; i++) {
            int k = ALPHABET.indexOf(Character.toUpperCase(s.charAt(i)));
            if (k < 0) return null;
            t[i] = k;
        }
        return t;
    }

    public static String decode(long[] tokens, int from, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append(ALPHABET.charAt((int) tokens[from + i]));
        return b.toString();
    }
}
