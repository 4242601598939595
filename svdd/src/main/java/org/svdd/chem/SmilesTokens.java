package org.svdd.chem;

import org.svdd.diffusion.data.SmilesDataset;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Token rows of a SMILES model back to strings. The tokens are {@link SmilesDataset}'s: {@link SmilesDataset#PAD} = 0,
 * and 1 + i is {@code alphabet.charAt(i)}. A row's string ends at its first PAD, so a sample such as "CCO PAD C" reads
 * "CCO" (the training data only has PAD after the end).
 */
public final class SmilesTokens {
    private SmilesTokens() {
    }

    /** The string of {@code ids[from .. from + length)}; fails on an id that is neither PAD nor a character. */
    public static String decode(long[] ids, int from, int length, String alphabet) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            long t = ids[from + i];
            if (t == SmilesDataset.PAD) break;
            if (t < 1 || t > alphabet.length()) {
                throw new IllegalArgumentException("token " + t + " at position " + i + " is neither PAD nor one of the " + alphabet.length() + " characters of '" + alphabet + "'");
            }
            b.append(alphabet.charAt((int) t - 1));
        }
        return b.toString();
    }

    /** One string per row of token ids x (B, L). */
    public static List<String> decode(Tensor x, String alphabet) {
        if (x.rank() != 2) throw new IllegalArgumentException("SMILES tokens must be (B, L) ids, got " + Shape.str(x.shape()));
        long[] ids = x.toLongArray();
        int b = x.dim(0), l = x.dim(1);
        List<String> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) out.add(decode(ids, r * l, l, alphabet));
        return out;
    }
}
