package org.svdd.eval;

/**
 * k-mer frequency statistics of nucleotide token sequences (A=0, C=1, G=2, T or U=3; tokens above 3 are padding):
 * the naturalness check of generated sequences against held-out real ones (Pearson correlation of the 4^k k-mer
 * frequencies).
 */
public final class KmerStats {
    private KmerStats() {
    }

    /** Frequencies of all 4^k k-mers over rows of length l in tokens (count, l); a k-mer that holds padding is not counted. */
    public static double[] frequencies(int[] tokens, int count, int l, int k) {
        double[] f = new double[1 << (2 * k)];
        long total = 0;
        for (int r = 0; r < count; r++)
            windows:
            for (int p = 0; p + k <= l; p++) {
                int code = 0;
                for (int j = 0; j < k; j++) {
                    int t = tokens[r * l + p + j];
                    if (t > 3) continue windows;
                    code = code << 2 | t;
                }
                f[code]++;
                total++;
            }
        for (int i = 0; i < f.length; i++) f[i] /= Math.max(1, total);
        return f;
    }

    public static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
