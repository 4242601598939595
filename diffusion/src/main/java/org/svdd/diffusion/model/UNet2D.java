package org.svdd.diffusion.model;

import org.svdd.diffusion.process.EpsModel;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;
import org.svdd.tensor.nn.Conv2d;
import org.svdd.tensor.nn.GroupNorm;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Module;
import org.svdd.tensor.nn.MultiHeadAttention;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DDPM U-Net: residual blocks with GroupNorm and SiLU conditioned on a sinusoidal time embedding,
 * self-attention at the listed resolutions, stride-2 convolutions down, nearest upsampling + convolution up, and a
 * skip connection from every down block to its mirror.
 */
public final class UNet2D extends Module implements EpsModel {
    /**
     * @param channels       image channels (1 for grey)
     * @param imageSize      height = width; must be divisible by 2^(levels-1)
     * @param base           channels at full resolution
     * @param mults          channel multiplier per resolution level, e.g. 1,2,2
     * @param resBlocks      residual blocks per level on the way down (one more on the way up)
     * @param attnResolutions resolutions (in pixels) that get self-attention, e.g. 8
     * @param groups         GroupNorm groups
     * @param heads          attention heads
     */
    public record Config(int channels, int imageSize, int base, int[] mults, int resBlocks, int[] attnResolutions, int groups, int heads) {
        public Config {
            if (channels < 1 || imageSize < 1 || base < 1 || resBlocks < 1 || groups < 1 || heads < 1)
                throw new IllegalArgumentException("channels, imageSize, base, resBlocks, groups and heads must be >= 1, got " + channels + ", " + imageSize + ", "
                        + base + ", " + resBlocks + ", " + groups + ", " + heads);
            if (mults.length == 0) throw new IllegalArgumentException("mults must not be empty");
            if (imageSize % (1 << (mults.length - 1)) != 0) throw new IllegalArgumentException("image size " + imageSize + " not divisible by 2^" + (mults.length - 1));
            for (int m : mults) if (base * m % groups != 0) throw new IllegalArgumentException("channels " + base * m + " not divisible by " + groups + " groups");
        }

        /** The small default for 32x32 grey images: 1.11M parameters. */
        public static Config small() {
            return new Config(1, 32, 32, new int[]{1, 2, 2}, 1, new int[]{8}, 8, 4);
        }

        /**
         * An estimate of the floats one image needs at the widest point of a forward pass without gradients: the skip
         * activations kept for the up path, plus six working tensors and the attention scores of the widest level. Used to
         * refuse a run that cannot fit in memory before it starts, not for anything exact.
         */
        public long inferenceFloatsPerRow() {
            long skips = 0, work = 0;
            for (int level = 0; level < mults.length; level++) {
                int resolution = imageSize >> level;
                long px = (long) resolution * resolution, ch = (long) base * mults[level];
                boolean attention = Arrays.stream(attnResolutions).anyMatch(r -> r == resolution);
                skips += (resBlocks + 1) * ch * px;
                work = Math.max(work, 6 * ch * px + (attention ? heads * px * px : 0));
            }
            return skips + work;
        }

        /**
         * An estimate of the floats one image needs in a training step: every block's activations kept for the
         * backward pass (about eight tensors of its width per residual block, the attention scores twice), and as much
         * again while the gradients flow. For refusing a --batch that cannot fit, not for anything exact.
         */
        public long trainingFloatsPerRow() {
            long kept = 0;
            for (int level = 0; level < mults.length; level++) {
                int resolution = imageSize >> level;
                long px = (long) resolution * resolution, ch = (long) base * mults[level];
                boolean attention = Arrays.stream(attnResolutions).anyMatch(r -> r == resolution);
                kept += (2L * resBlocks + 1) * (8 * ch * px + (attention ? 2 * heads * px * px + 4 * ch * px : 0));
            }
            return 2 * kept;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.channels == channels && c.imageSize == imageSize && c.base == base && Arrays.equals(c.mults, mults)
                    && c.resBlocks == resBlocks && Arrays.equals(c.attnResolutions, attnResolutions) && c.groups == groups && c.heads == heads;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mults) * 31 + imageSize;
        }

        @Override
        public String toString() {
            return "UNet2D.Config" + Configs.toMap("unet", this);
        }
    }

    /** GroupNorm, SiLU, conv; time added in between; 1x1 skip when the width changes. */
    static final class ResBlock extends Module {
        private final GroupNorm norm1, norm2;
        private final Conv2d conv1, conv2, skip;
        private final Linear time;

        ResBlock(int in, int out, int tDim, int groups, Init init) {
            norm1 = child("norm1", new GroupNorm(groups, in, init));
            conv1 = child("conv1", new Conv2d(in, out, 3, init));
            time = child("time", new Linear(tDim, out, true, init));
            norm2 = child("norm2", new GroupNorm(groups, out, init));
            conv2 = child("conv2", new Conv2d(out, out, 3, init));
            skip = in == out ? null : child("skip", new Conv2d(in, out, 1, init));
        }

        /** x (B, in, H, W), temb (B, tDim) -> (B, out, H, W). */
        Tensor forward(Tensor x, Tensor temb) {
            Tensor h = conv1.forward(norm1.forward(x, UnaryOp.SILU), time.forward(temb.silu()));   // + time per image and channel
            h = conv2.forward(norm2.forward(h, UnaryOp.SILU));
            return (skip == null ? x : skip.forward(x)).add(h);
        }
    }

    /** Self-attention over the H*W positions, residual. */
    static final class AttnBlock extends Module {
        private final GroupNorm norm;
        private final MultiHeadAttention attn;

        AttnBlock(int ch, int groups, int heads, Init init) {
            norm = child("norm", new GroupNorm(groups, ch, init));
            attn = child("attn", new MultiHeadAttention(ch, heads, init));
        }

        Tensor forward(Tensor x) {
            int b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
            Tensor seq = norm.forward(x).reshape(b, c, h * w).permute(0, 2, 1);              // (B, HW, C)
            Tensor y = attn.forward(seq, null).permute(0, 2, 1).reshape(b, c, h, w);
            return x.add(y);
        }
    }

    private record Level(List<ResBlock> res, List<AttnBlock> attn, Conv2d resample) {
    }

    private final Config config;
    private final TimeEmbedding timeEmbedding;
    private final Conv2d inConv, outConv;
    private final GroupNorm outNorm;
    private final List<Level> down = new ArrayList<>(), up = new ArrayList<>();
    private final ResBlock mid1, mid2;
    private final AttnBlock midAttn;

    public UNet2D(Config c, Init init) {
        this.config = c;
        int tDim = 4 * c.base();
        timeEmbedding = child("time", new TimeEmbedding(c.base(), tDim, 1.0, init));
        inConv = child("in", new Conv2d(c.channels(), c.base(), 3, init));
        List<Integer> skips = new ArrayList<>();
        skips.add(c.base());
        int ch = c.base(), res = c.imageSize();
        for (int l = 0; l < c.mults().length; l++) {
            List<ResBlock> rs = new ArrayList<>();
            List<AttnBlock> as = new ArrayList<>();
            int out = c.base() * c.mults()[l];
            for (int r = 0; r < c.resBlocks(); r++) {
                rs.add(child("down." + l + ".res." + r, new ResBlock(ch, out, tDim, c.groups(), init)));
                ch = out;
                if (contains(c.attnResolutions(), res)) as.add(child("down." + l + ".attn." + r, new AttnBlock(ch, c.groups(), c.heads(), init)));
                skips.add(ch);
            }
            Conv2d ds = null;
            if (l + 1 < c.mults().length) {
                ds = child("down." + l + ".downsample", new Conv2d(ch, ch, 3, Conv2dParams.of(2, 1), true, init));
                skips.add(ch);
                res /= 2;
            }
            down.add(new Level(rs, as, ds));
        }
        mid1 = child("mid.res1", new ResBlock(ch, ch, tDim, c.groups(), init));
        midAttn = child("mid.attn", new AttnBlock(ch, c.groups(), c.heads(), init));
        mid2 = child("mid.res2", new ResBlock(ch, ch, tDim, c.groups(), init));
        for (int l = c.mults().length - 1; l >= 0; l--) {
            List<ResBlock> rs = new ArrayList<>();
            List<AttnBlock> as = new ArrayList<>();
            int out = c.base() * c.mults()[l];
            for (int r = 0; r <= c.resBlocks(); r++) {
                rs.add(child("up." + l + ".res." + r, new ResBlock(ch + skips.removeLast(), out, tDim, c.groups(), init)));
                ch = out;
                if (contains(c.attnResolutions(), res)) as.add(child("up." + l + ".attn." + r, new AttnBlock(ch, c.groups(), c.heads(), init)));
            }
            Conv2d us = null;
            if (l > 0) {
                us = child("up." + l + ".upsample", new Conv2d(ch, ch, 3, init));
                res *= 2;
            }
            up.add(new Level(rs, as, us));
        }
        outNorm = child("out.norm", new GroupNorm(c.groups(), ch, init));
        outConv = child("out.conv", new Conv2d(ch, c.channels(), 3, init));
    }

    /**
     * The same function with more residual blocks per level: a function-preserving deepening, so that a trained small
     * UNet can continue training with more capacity instead of starting again. Blocks that exist in {@code from} keep
     * its weights. Each level's new down blocks are appended after its existing ones and start as the identity (their
     * last convolution zero), so they hand the same tensor to their skip connections. On the way up, the level's first
     * block keeps its weights, the new blocks follow it and start as the identity on h (last convolution zero, the 1x1
     * skip projection [I | 0] dropping the concatenated skip), and the rest keep theirs. New attention blocks start
     * with a zero output projection. The other parameters of new blocks come from init.
     */
    public static UNet2D deepen(UNet2D from, int resBlocks, Init init) {
        Config c = from.config;
        if (resBlocks < c.resBlocks()) throw new IllegalArgumentException("cannot deepen a UNet with " + c.resBlocks() + " residual blocks per level to " + resBlocks);
        UNet2D to = new UNet2D(new Config(c.channels(), c.imageSize(), c.base(), c.mults(), resBlocks, c.attnResolutions(), c.groups(), c.heads()), init);
        int added = resBlocks - c.resBlocks();
        Map<String, Tensor> state = new LinkedHashMap<>(to.namedParameters());
        from.namedParameters().forEach((name, t) -> state.put(deepenedName(name, added), t));
        state.replaceAll((name, t) -> {
            String[] p = name.split("\\.");
            if (!inBlock(p)) return t;                                                     // down|up . level . res|attn . index . param
            int r = Integer.parseInt(p[3]);
            boolean fresh = p[0].equals("down") ? r >= c.resBlocks() : r >= 1 && r <= added;
            if (!fresh) return t;
            return switch (String.join(".", Arrays.copyOfRange(p, 4, p.length))) {
                case "conv2.weight", "conv2.bias", "attn.out.weight", "attn.out.bias", "skip.bias" -> t.backend().zeros(t.dtype(), t.shape());
                case "skip.weight" -> {                                                     // (out, out + skip, 1, 1)
                    int out = t.dim(0), in = t.dim(1);
                    float[] w = new float[out * in];
                    for (int o = 0; o < out; o++) w[o * in + o] = 1;
                    yield t.backend().upload(HostStorage.of(w), t.shape());
                }
                default -> t;
            };
        });
        to.loadState(state);
        return to;
    }

    /** Where a parameter of the shallower UNet goes when `added` blocks per level are inserted (see {@link #deepen}). */
    private static String deepenedName(String name, int added) {
        String[] p = name.split("\\.");
        if (!inBlock(p) || !p[0].equals("up")) return name;
        int r = Integer.parseInt(p[3]);
        if (r == 0) return name;
        p[3] = Integer.toString(r + added);
        return String.join(".", p);
    }

    /** Whether a split parameter name lies in a level's residual or attention block. */
    private static boolean inBlock(String[] p) {
        return p.length >= 5 && (p[0].equals("down") || p[0].equals("up")) && (p[2].equals("res") || p[2].equals("attn"));
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    public Config config() {
        return config;
    }

    /** x_t (B, C, S, S), t (B) step indices -> eps (B, C, S, S). Under no-grad its intermediates' memory is reused. */
    @Override
    public Tensor predictEps(Tensor x, Tensor t) {
        if (x.rank() != 4 || x.dim(1) != config.channels() || x.dim(2) != config.imageSize() || x.dim(3) != config.imageSize()) {
            throw new IllegalArgumentException("UNet2D expects (B, " + config.channels() + ", " + config.imageSize() + ", " + config.imageSize()
                    + ") images, got " + Shape.str(x.shape()));
        }
        return Memory.forward(() -> eps(x, t));
    }

    private Tensor eps(Tensor x, Tensor t) {
        Tensor temb = timeEmbedding.forward(t);
        Deque<Tensor> skips = new ArrayDeque<>();
        Tensor h = inConv.forward(x);
        skips.push(h);
        for (Level lv : down) {
            for (int r = 0; r < lv.res().size(); r++) {
                h = lv.res().get(r).forward(h, temb);
                if (!lv.attn().isEmpty()) h = lv.attn().get(r).forward(h);
                skips.push(h);
            }
            if (lv.resample() != null) {
                h = lv.resample().forward(h);
                skips.push(h);
            }
        }
        h = mid2.forward(midAttn.forward(mid1.forward(h, temb)), temb);
        for (Level lv : up) {
            for (int r = 0; r < lv.res().size(); r++) {
                h = lv.res().get(r).forward(F.concat(List.of(h, skips.pop()), 1), temb);
                if (!lv.attn().isEmpty()) h = lv.attn().get(r).forward(h);
            }
            if (lv.resample() != null) h = lv.resample().forward(F.upsampleNearest2d(h, 2));
        }
        return outConv.forward(outNorm.forward(h, UnaryOp.SILU));
    }
}
