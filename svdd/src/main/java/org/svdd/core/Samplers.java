package org.svdd.core;

import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

/**
 * Samplers built from a {@link Proposal}: the pre-trained sampler, best-of-N, and SVDD (M candidates per step,
 * scored by a {@link ValueEstimator}, one kept by a {@link Selection}). B chains x M candidates run as one batch.
 */
public final class Samplers {
    private Samplers() {
    }

    /** Rows idx of x (B*M, ...) as a new batch (B, ...). */
    static Tensor rows(Tensor x, int[] idx) {
        Backend be = x.backend();
        long[] ids = new long[idx.length];
        for (int i = 0; i < idx.length; i++) ids[i] = idx[i];
        Tensor flat = x.reshape(x.dim(0), -1);
        boolean integral = !x.dtype().isFloating();
        Tensor table = integral ? flat.toDType(org.svdd.tensor.DType.F32) : flat;
        Tensor picked = org.svdd.tensor.F.embedding(table, be.upload(HostStorage.of(ids), idx.length));
        if (integral) picked = picked.toDType(x.dtype());
        int[] shape = x.shape();
        shape[0] = idx.length;
        return picked.reshape(shape);
    }

    /**
     * SVDD: x_T from the prior; at every step, M candidates from p_pre(. | x_t) (one shared denoiser pass), their
     * values, and one kept per chain. Returns (B, ...) samples.
     */
    public static Tensor svdd(Proposal p, ValueEstimator value, Selection selection, int batch, int m, Rng rng) {
        if (m < 1) throw new IllegalArgumentException("M must be >= 1, got " + m);
        return Grad.noGrad(() -> {
            Tensor x = p.prior(batch, rng);
            for (int i = 0; i < p.steps(); i++) {
                Tensor cands = p.prepare(x, i).sample(m, rng);                                 // (B*M, ...)
                double[] v = m == 1 ? new double[batch] : value.values(cands, i);
                int[] keep = new int[batch];
                for (int b = 0; b < batch; b++) keep[b] = b * m + (m == 1 ? 0 : selection.choose(v, b * m, m, rng));
                x = m == 1 ? cands : rows(cands, keep);
            }
            return x;
        });
    }

    /** Best-of-N: N pre-trained samples per output, the one with the highest reward kept. */
    public static Tensor bestOfN(Proposal p, Reward reward, int batch, int n, Rng rng) {
        return Grad.noGrad(() -> {
            Tensor all = Proposal.sample(p, batch * n, rng);
            double[] r = reward.score(all);
            int[] keep = new int[batch];
            for (int b = 0; b < batch; b++) {
                int best = b * n;
                for (int j = 1; j < n; j++) if (r[b * n + j] > r[best]) best = b * n + j;
                keep[b] = best;
            }
            return rows(all, keep);
        });
    }
}
