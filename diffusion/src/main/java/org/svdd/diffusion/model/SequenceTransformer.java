package org.svdd.diffusion.model;

import org.svdd.diffusion.process.TokenModel;
import org.svdd.tensor.F;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Conv1d;
import org.svdd.tensor.nn.Embedding;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.LayerNorm;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Module;
import org.svdd.tensor.nn.MultiHeadAttention;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bidirectional transformer denoiser for masked diffusion: token + position embeddings, optionally a residual
 * convolution over the sequence (each position sees its neighbours' tokens before the first block), pre-norm blocks
 * whose LayerNorms are modulated by the time (adaLN: x_norm (1 + scale(t)) + shift(t)), fused attention, GELU MLP, and
 * logits over the real tokens.
 */
public final class SequenceTransformer extends Module implements TokenModel {
    /**
     * @param vocab      real tokens (MASK = vocab is an extra input id)
     * @param length     sequence length
     * @param convKernel width of the residual convolution over the embedded sequence (odd; 0 = none). Attention with
     *                   learned absolute positions is slow to learn which tokens are neighbours; the convolution gives
     *                   every position its local context (k-mers) from the start.
     */
    public record Config(int vocab, int length, int dim, int layers, int heads, int mlpRatio, int convKernel) {
        /** Values of fields that checkpoints written before the field existed lack. */
        public static final Map<String, String> DEFAULTS = Map.of("convKernel", "0");

        public Config {
            if (dim < 1 || heads < 1 || mlpRatio < 1) throw new IllegalArgumentException("dim, heads and mlpRatio must be >= 1, got " + dim + ", " + heads + ", " + mlpRatio);
            if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by " + heads + " heads");
            if (vocab < 2 || length < 1 || layers < 1) throw new IllegalArgumentException("invalid transformer config");
            if (convKernel < 0 || convKernel > 0 && convKernel % 2 == 0) throw new IllegalArgumentException("convKernel must be 0 or odd, got " + convKernel);
        }

        /**
         * An estimate of the floats one sequence needs at the widest point of a forward pass without gradients: the
         * residual stream and the working tensors of a block (attention, the MLP's hidden layer, one score matrix per
         * head) and the logits. Used to refuse a run that cannot fit in memory before it starts, not for anything exact.
         */
        public long inferenceFloatsPerRow() {
            return (long) length * (dim * (6L + 2L * mlpRatio) + 4L * vocab + (long) heads * length);
        }

        /**
         * An estimate of the floats one sequence needs in a training step: each block's activations kept for the
         * backward pass (normalised inputs, q, k, v, the attention output, the MLP's hidden layer before and after its
         * activation, the residual stream; the score matrices), and as much again while the gradients flow, plus the
         * logits. For refusing a --batch that cannot fit, not for anything exact.
         */
        public long trainingFloatsPerRow() {
            long perLayer = (long) length * (dim * (9L + 2L * mlpRatio) + 2L * heads * length);
            return 2 * layers * perLayer + 4L * length * vocab;
        }

        /** Width 128, 4 layers, 4 heads, MLP ratio 4, a convolution of width 9 (1,253,636 parameters with 4 tokens). */
        public static Config small(int vocab, int length) {
            return new Config(vocab, length, 128, 4, 4, 4, 9);
        }
    }

    static final class Block extends Module {
        private final LayerNorm ln1, ln2;
        private final MultiHeadAttention attn;
        private final Linear fc1, fc2, ada;

        Block(Config c, Init init) {
            ln1 = child("ln1", new LayerNorm(c.dim(), false, init));
            attn = child("attn", new MultiHeadAttention(c.dim(), c.heads(), init));
            ln2 = child("ln2", new LayerNorm(c.dim(), false, init));
            fc1 = child("fc1", new Linear(c.dim(), c.mlpRatio() * c.dim(), true, init));
            fc2 = child("fc2", new Linear(c.mlpRatio() * c.dim(), c.dim(), true, init));
            ada = child("ada", new Linear(c.dim(), 4 * c.dim(), true, init));
        }

        /** x (B, L, D), temb (B, D) -> (B, L, D). */
        Tensor forward(Tensor x, Tensor temb) {
            int d = x.dim(2);
            Tensor mod = ada.forward(temb.silu()).unsqueeze(1);                                  // (B, 1, 4D)
            Tensor shift1 = mod.slice(2, 0, d), scale1 = mod.slice(2, d, 2 * d);
            Tensor shift2 = mod.slice(2, 2 * d, 3 * d), scale2 = mod.slice(2, 3 * d, 4 * d);
            x = x.add(attn.forward(ln1.forward(x).mul(scale1.add(1)).add(shift1), null));
            Tensor h = ln2.forward(x).mul(scale2.add(1)).add(shift2);
            return x.add(fc2.forward(fc1.forward(h).gelu()));
        }
    }

    private final Config config;
    private final Embedding tokens, positions;
    private final Conv1d conv;
    private final TimeEmbedding time;
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnOut;
    private final Linear head;
    private final Tensor positionIds;

    public SequenceTransformer(Config c, Init init) {
        this.config = c;
        tokens = child("tokens", new Embedding(c.vocab() + 1, c.dim(), init));
        positions = child("positions", new Embedding(c.length(), c.dim(), init));
        int k = c.convKernel();
        conv = k == 0 ? null : child("conv", new Conv1d(c.dim(), c.dim(), k, 1, k / 2, 1, 1, true, init));
        time = child("time", new TimeEmbedding(c.dim(), c.dim(), 1000.0, init));
        for (int i = 0; i < c.layers(); i++) blocks.add(child("block." + i, new Block(c, init)));
        lnOut = child("ln_out", new LayerNorm(c.dim(), true, init));
        head = child("head", new Linear(c.dim(), c.vocab(), true, init));
        long[] ids = new long[c.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        positionIds = init.backend().upload(org.svdd.tensor.HostStorage.of(ids), c.length());
    }

    public Config config() {
        return config;
    }

    /** x_t (B, L) I64 ids with MASK = vocab, t (B) in [0, 1] -> logits (B, L, vocab). */
    @Override
    public Tensor logits(Tensor xt, Tensor t) {
        if (xt.rank() != 2 || xt.dim(1) != config.length()) {
            throw new IllegalArgumentException("transformer expects (B, " + config.length() + ") token ids, got " + Shape.str(xt.shape()));
        }
        return Memory.forward(() -> fromEmbedded(tokens.forward(xt), t));
    }

    /** One-hot x_t (B, L, vocab+1) F32 -> logits (B, L, vocab); the token embedding becomes onehot · table. */
    @Override
    public Tensor logitsOneHot(Tensor xt, Tensor t) {
        int b = xt.dim(0);
        if (xt.rank() != 3 || xt.dim(1) != config.length() || xt.dim(2) != config.vocab() + 1) {
            throw new IllegalArgumentException("transformer expects one-hot (B, " + config.length() + ", " + (config.vocab() + 1) + "), got " + Shape.str(xt.shape()));
        }
        return Memory.forward(() -> {
            Tensor emb = xt.reshape(b * config.length(), config.vocab() + 1).matmul(tokens.weight());  // (B*L, D)
            return fromEmbedded(emb.reshape(b, config.length(), config.dim()), t);
        });
    }

    /** Token embeddings (B, L, D) -> logits (B, L, vocab). Under no-grad (its callers' {@link Memory#forward}) its intermediates' memory is reused. */
    private Tensor fromEmbedded(Tensor emb, Tensor t) {
        Tensor temb = time.forward(t);
        Tensor h = emb.add(positions.forward(positionIds));                                  // (B, L, D)
        if (conv != null) h = h.add(conv.forward(h.permute(0, 2, 1)).permute(0, 2, 1));
        for (Block b : blocks) h = b.forward(h, temb);
        return head.forward(lnOut.forward(h));
    }
}
