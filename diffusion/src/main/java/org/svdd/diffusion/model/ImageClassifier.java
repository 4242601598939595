package org.svdd.diffusion.model;

import org.svdd.tensor.Backend;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Conv2d;
import org.svdd.tensor.nn.GroupNorm;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small CNN classifier for grey images in [-1, 1]: per stage, 3x3 convolutions each followed by GroupNorm and SiLU,
 * then 2x2 average pooling; then flatten, a hidden linear layer with SiLU, and the class logits. Every op is smooth
 * (SiLU, average pooling, no max), so {@link #logits} has a well-behaved gradient with respect to the image: what a
 * differentiable reward (classifier guidance) needs. GroupNorm keeps rows independent, so a row's logits do not
 * depend on the rest of its batch.
 * <p>
 * Checkpoints hold the weights as "model.*" with {@code kind = IMAGE_CLASSIFIER} and the config ("classifier.*") in
 * the metadata, so {@link #load} needs only the path.
 */
public final class ImageClassifier extends Module {
    /** The metadata value of "kind" that marks a classifier checkpoint. */
    public static final String KIND = "IMAGE_CLASSIFIER";

    /**
     * @param channels  image channels (1 for grey)
     * @param imageSize height = width; must be divisible by 2^widths.length
     * @param widths    channels of each stage; each stage ends with a 2x2 average pool, e.g. 32,64,128
     * @param convs     3x3 convolutions per stage
     * @param hidden    width of the hidden layer of the head
     * @param classes   number of classes (logits)
     * @param groups    GroupNorm groups; every width must be divisible by it
     */
    public record Config(int channels, int imageSize, int[] widths, int convs, int hidden, int classes, int groups) {
        public Config {
            if (channels < 1 || widths.length == 0 || convs < 1 || hidden < 1 || classes < 2 || groups < 1) {
                throw new IllegalArgumentException("invalid classifier config: channels " + channels + ", " + widths.length + " stages, convs " + convs
                        + ", hidden " + hidden + ", classes " + classes + ", groups " + groups);
            }
            if (imageSize % (1 << widths.length) != 0) throw new IllegalArgumentException("image size " + imageSize + " not divisible by 2^" + widths.length);
            for (int w : widths) if (w % groups != 0) throw new IllegalArgumentException("width " + w + " not divisible by " + groups + " groups");
            widths = widths.clone();
        }

        /** The default for 32x32 grey images and 10 classes: stages 32, 64, 128 of one convolution each, about 0.36M parameters. */
        public static Config small() {
            return new Config(1, 32, new int[]{32, 64, 128}, 1, 128, 10, 8);
        }

        @Override
        public int[] widths() {
            return widths.clone();
        }

        /** Side of the feature map that enters the head. */
        public int finalSize() {
            return imageSize >> widths.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.channels == channels && c.imageSize == imageSize && Arrays.equals(c.widths, widths) && c.convs == convs
                    && c.hidden == hidden && c.classes == classes && c.groups == groups;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(widths) * 31 + imageSize * 7 + classes;
        }

        @Override
        public String toString() {
            return "ImageClassifier.Config" + Configs.toMap("classifier", this);
        }
    }

    /** conv 3x3 (no bias: the norm's beta plays that role), GroupNorm, SiLU: (B, in, H, W) -> (B, out, H, W). */
    static final class ConvBlock extends Module {
        private final Conv2d conv;
        private final GroupNorm norm;

        ConvBlock(int in, int out, int groups, Init init) {
            conv = child("conv", new Conv2d(in, out, 3, Conv2dParams.of(1, 1), false, init));
            norm = child("norm", new GroupNorm(groups, out, init));
        }

        Tensor forward(Tensor x) {
            return norm.forward(conv.forward(x), UnaryOp.SILU);
        }
    }

    private final Config config;
    private final List<List<ConvBlock>> stages = new ArrayList<>();
    private final Linear hidden, out;

    public ImageClassifier(Config c, Init init) {
        this.config = c;
        int ch = c.channels();
        for (int s = 0; s < c.widths().length; s++) {
            List<ConvBlock> blocks = new ArrayList<>();
            for (int k = 0; k < c.convs(); k++) {
                blocks.add(child("stage." + s + ".conv." + k, new ConvBlock(ch, c.widths()[s], c.groups(), init)));
                ch = c.widths()[s];
            }
            stages.add(blocks);
        }
        int flat = ch * c.finalSize() * c.finalSize();
        hidden = child("head.hidden", new Linear(flat, c.hidden(), true, init));
        out = child("head.out", new Linear(c.hidden(), c.classes(), true, init));
    }

    public Config config() {
        return config;
    }

    /** x (B, C, S, S) in [-1, 1] -> logits (B, classes); differentiable with respect to x and the parameters. */
    public Tensor logits(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != config.channels() || x.dim(2) != config.imageSize() || x.dim(3) != config.imageSize()) {
            throw new IllegalArgumentException("ImageClassifier expects (B, " + config.channels() + ", " + config.imageSize() + ", " + config.imageSize()
                    + ") images, got " + Shape.str(x.shape()));
        }
        return Memory.forward(() -> {
            Tensor h = x;
            for (List<ConvBlock> stage : stages) {
                for (ConvBlock b : stage) h = b.forward(h);
                h = F.avgPool2d(h, 2);                                                    // (B, width, S/2, S/2)
            }
            h = h.reshape(x.dim(0), -1);                                                  // (B, width * finalSize^2)
            return out.forward(hidden.forward(h).silu());
        });
    }

    /** log p(class | x), (B, classes). */
    public Tensor logProbs(Tensor x) {
        return F.logSoftmax(logits(x), -1);
    }

    /** p(class | x) without gradients, row-major (B * classes) on the host. */
    public float[] probabilities(Tensor x) {
        return Grad.noGrad(() -> F.softmax(logits(x), -1)).toFloatArray();
    }

    /** "kind" and the config, as checkpoint metadata. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.putAll(Configs.toMap("classifier", config));
        return m;
    }

    /** Writes the weights ("model.*") and metadata plus {@code extra} tensors and metadata (training state), atomically. */
    public void save(Path file, Map<String, Tensor> extraTensors, Map<String, String> extraMetadata) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> t.put("model." + k, v));
        t.putAll(extraTensors);
        Map<String, String> meta = metadata();
        meta.putAll(extraMetadata);
        Safetensors.write(file, t, meta);
    }

    /** Writes the weights and metadata alone. */
    public void save(Path file) throws IOException {
        save(file, Map.of(), Map.of());
    }

    /** A fresh classifier with the config of a checkpoint's metadata; the error names the file when it is not a classifier. */
    public static ImageClassifier fromMetadata(Path file, Map<String, String> meta, Init init) throws CheckpointException {
        String kind = meta.get("kind");
        if (!KIND.equals(kind)) {
            throw new CheckpointException(file, kind == null ? "no 'kind' in the metadata: not an image classifier checkpoint"
                    : "kind is '" + kind + "', not an image classifier (" + KIND + ")");
        }
        try {
            return new ImageClassifier(Configs.fromMap("classifier", Config.class, meta), init);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }

    /**
     * Loads a classifier checkpoint (the "model.*" weights; other tensors such as optimiser state are ignored) onto
     * {@code backend}, in eval mode.
     */
    public static ImageClassifier load(Path file, Backend backend) throws IOException {
        Safetensors.Checkpoint ck = Safetensors.read(file, backend);
        ImageClassifier m = fromMetadata(file, ck.metadata(), new Init(backend, DType.F32, new Rng(0)));
        m.loadState(file, ck.tensors());
        m.eval();
        return m;
    }

    /** Copies the "model.*" tensors of a checkpoint into this classifier; a mismatch is an error naming the file. */
    public void loadState(Path file, Map<String, Tensor> tensors) throws CheckpointException {
        Map<String, Tensor> w = new LinkedHashMap<>();
        tensors.forEach((n, t) -> {
            if (n.startsWith("model.")) w.put(n.substring("model.".length()), t);
        });
        try {
            loadState(w);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }
}
