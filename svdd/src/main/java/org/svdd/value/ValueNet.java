package org.svdd.value;

import org.svdd.tensor.Backend;
import org.svdd.diffusion.model.Configs;
import org.svdd.diffusion.model.TimeEmbedding;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;
import org.svdd.tensor.nn.Conv1d;
import org.svdd.tensor.nn.Conv2d;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Layer;
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
 * The SVDD-MC value network v_phi(x_t, t): a small convolutional net over the noisy state plus a sinusoidal
 * embedding of the noise level t in [0, 1], regressed on r(x0) (labels standardised; the mean and std travel in the
 * checkpoint). Images enter as they are (B, C, H, W); token states as one-hot (B, L, V) over the real tokens, a
 * masked position being the all-zero vector, so the net also accepts relaxed inputs (classifier guidance).
 * <pre>
 *   images:    3 x [conv3x3, SiLU, avgpool 2]  -> mean over pixels     (B, 2w)
 *   sequences: 3 x [conv1d k=7, SiLU]         -> [mean, max] over L    (B, 2w)
 *   then + time embedding (B, 2w) -> Linear, SiLU -> Linear -> (B)
 * </pre>
 */
public final class ValueNet extends Module {
    public enum Domain { IMAGE, SEQUENCE }

    /**
     * @param channels image channels C, or the number of real tokens V
     * @param size     image side H = W, or sequence length L
     * @param width    channels of the first layer (w)
     */
    public record Config(Domain domain, int channels, int size, int width) {
        public Config {
            if (channels < 1 || size < 8 || width < 2 || width % 2 != 0)
                throw new IllegalArgumentException("invalid value-net config " + channels + " channels, size " + size + ", width " + width);
        }
    }

    /** Metadata key naming the file as a value network. */
    public static final String KIND = "VALUE_NET";

    private final Config config;
    private final List<Layer> convs = new ArrayList<>();
    private final TimeEmbedding time;
    private final Linear fc1, fc2;
    private double labelMean, labelStd = 1;

    public ValueNet(Config c, Init init) {
        this.config = c;
        int w = c.width();
        int[] chans = {c.channels(), w, 2 * w, 2 * w};
        for (int i = 0; i < 3; i++) {
            convs.add(child("conv." + i, c.domain() == Domain.IMAGE ? new Conv2d(chans[i], chans[i + 1], 3, init)
                    : new Conv1d(chans[i], chans[i + 1], 7, 1, 3, 1, 1, true, init)));
        }
        int feat = c.domain() == Domain.IMAGE ? 2 * w : 4 * w;
        time = child("time", new TimeEmbedding(feat, feat, 1000.0, init));
        fc1 = child("fc1", new Linear(feat, feat, true, init));
        fc2 = child("fc2", new Linear(feat, 1, true, init));
    }

    public Config config() {
        return config;
    }

    /** Sets the label standardisation: the net predicts (r - mean) / std. */
    public void setLabelScale(double mean, double std) {
        if (!(std > 0)) throw new IllegalArgumentException("label std must be > 0, got " + std);
        labelMean = mean;
        labelStd = std;
    }

    public double labelMean() {
        return labelMean;
    }

    public double labelStd() {
        return labelStd;
    }

    /** The standardised prediction (B) from a continuous input (images, or one-hot (B, L, V)) and times t (B). */
    public Tensor standardized(Tensor x, Tensor t) {
        return Memory.forward(() -> standardizedPass(x, t));
    }

    private Tensor standardizedPass(Tensor x, Tensor t) {
        Tensor h = x;
        if (config.domain() == Domain.IMAGE) {
            checkShape(x, x.dim(0), config.channels(), config.size(), config.size());
            for (Layer conv : convs) h = F.avgPool2d(conv.forward(h).silu(), 2);
            h = h.mean(new int[]{2, 3}, false);                                             // (B, 2w)
        } else {
            checkShape(x, x.dim(0), config.size(), config.channels());
            h = h.transpose(1, 2);                                                          // (B, V, L)
            for (Layer conv : convs) h = conv.forward(h).silu();                              // (B, 2w, L)
            h = F.concat(List.of(h.mean(2, false), h.max(2, false)), 1);                      // (B, 4w)
        }
        h = h.add(time.forward(t));
        return fc2.forward(fc1.forward(h).silu()).reshape(x.dim(0));
    }

    /** v_phi in reward units, (B), differentiable with respect to x. */
    public Tensor forward(Tensor x, Tensor t) {
        return standardized(x, t).mul(labelStd).add(labelMean);
    }

    /** The net's input for states: images as they are; token ids (B, L) as one-hot over the real tokens. */
    public Tensor input(Tensor states) {
        return input(config, states);
    }

    /** {@link #input(Tensor)} for a net of this config (training data is built before the net). */
    public static Tensor input(Config config, Tensor states) {
        if (config.domain() == Domain.IMAGE) return states;
        return F.oneHot(states, config.channels() + 1).slice(2, 0, config.channels());    // MASK -> all zero
    }

    /** Values of a batch of states at one noise level, without gradient. */
    public double[] values(Tensor states, double t) {
        return Grad.noGrad(() -> forward(input(states), times(states.backend(), states.dim(0), t))).toDoubleArray();
    }

    /** A (B) tensor filled with t, on {@code backend} (the states'). */
    public static Tensor times(Backend backend, int b, double t) {
        float[] a = new float[b];
        Arrays.fill(a, (float) t);
        return backend.upload(HostStorage.of(a), b);
    }

    private static void checkShape(Tensor x, int... expected) {
        if (!Arrays.equals(x.shape(), expected))
            throw new IllegalArgumentException("value net expects " + Shape.str(expected) + ", got " + Shape.str(x.shape()));
    }

    /** Saves weights, config, label scale and provenance (keys outside "value.": reward, model, data source) atomically. */
    public void save(Path file, Map<String, String> provenance) throws IOException {
        save(file, provenance, Map.of());
    }

    /** As {@link #save(Path, Map)}, with extra tensors under "opt." (a training checkpoint's optimizer state). */
    void save(Path file, Map<String, String> provenance, Map<String, Tensor> optimizer) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(Configs.toMap("value", config));
        meta.put("kind", KIND);
        meta.put("label.mean", Double.toString(labelMean));
        meta.put("label.std", Double.toString(labelStd));
        meta.putAll(provenance);
        Map<String, Tensor> tensors = new LinkedHashMap<>(namedParameters());
        optimizer.forEach((k, v) -> tensors.put("opt." + k, v));
        Safetensors.write(file, tensors, meta);
    }

    /** Loads a value network onto {@code backend}; a file of another kind is a clear error naming it. */
    public static ValueNet load(Path file, Backend backend) throws IOException {
        Safetensors.Checkpoint ck = Safetensors.read(file, backend);
        if (!KIND.equals(ck.metadata().get("kind")))
            throw new CheckpointException(file, "not a value network (kind " + ck.metadata().get("kind") + "); train one with `svdd train-value`");
        ValueNet net = new ValueNet(Configs.fromMap("value", Config.class, ck.metadata()), new Init(backend, DType.F32, new Rng(0)));
        Map<String, Tensor> weights = new LinkedHashMap<>(ck.tensors());
        weights.keySet().removeIf(k -> k.startsWith("opt."));
        net.loadState(weights);
        net.setLabelScale(Double.parseDouble(ck.metadata().get("label.mean")), Double.parseDouble(ck.metadata().get("label.std")));
        net.eval();
        return net;
    }

    /** The checkpoint's metadata (provenance included), read from the header alone. */
    public static Map<String, String> metadata(Path file) throws IOException {
        return Safetensors.readHeader(file).metadata();
    }
}
