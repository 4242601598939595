package org.svdd.tensor.optim;

import org.svdd.tensor.Grad;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Module;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Exponential moving average of a module's parameters, the weights diffusion models are usually sampled with:
 * after each optimizer step, shadow = decay shadow + (1 - decay) param. The shadow starts as a copy of the
 * parameters and is keyed by their dotted names, so it can be checkpointed next to them.
 */
public final class Ema {
    private final double decay;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();

    public Ema(Module module, double decay) {
        if (decay < 0 || decay > 1) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        this.decay = decay;
        module.namedParameters().forEach((k, p) -> shadow.put(k, Memory.outside(() -> copy(p))));
    }

    /** shadow = decay shadow + (1 - decay) param for every parameter of module (the one the EMA was built from). */
    public void update(Module module) {
        Grad.noGrad(() -> {
            forEachPair(module, (name, p) -> {
                Tensor s = shadow.get(name);
                s.backend().assign(s, s.mul(decay).add(p.detach().mul(1 - decay)));
            });
            return null;
        });
    }

    /** Writes the averaged weights into module's parameters, in place. */
    public void copyTo(Module module) {
        forEachPair(module, (name, p) -> p.backend().assign(p, shadow.get(name)));
    }

    /**
     * Exchanges the module's weights and the averaged ones, in place: call once to evaluate with the average and
     * again to resume training with the raw weights.
     */
    public void swap(Module module) {
        forEachPair(module, (name, p) -> {
            Tensor raw = copy(p), s = shadow.get(name);
            p.backend().assign(p, s);
            s.backend().assign(s, raw);
        });
    }

    /** The averaged weights by parameter name, read-only (for checkpoints). */
    public Map<String, Tensor> shadow() {
        return Collections.unmodifiableMap(shadow);
    }

    /** Replaces the average (resuming from a checkpoint); names and shapes must match, the error names the tensor. */
    public void load(Map<String, Tensor> weights) {
        if (!weights.keySet().equals(shadow.keySet())) {
            throw new IllegalArgumentException("EMA weights " + weights.keySet() + " do not match the model's parameters " + shadow.keySet());
        }
        weights.forEach((name, w) -> checkShape(name, shadow.get(name), w));
        weights.forEach((name, w) -> {
            Tensor old = shadow.get(name);
            shadow.put(name, Memory.outside(() -> old.backend().copy(w.to(old.backend()), old.dtype())));
        });
    }

    /** Checks that module has exactly the EMA's names and shapes, then applies action to each (name, parameter). */
    private void forEachPair(Module module, BiConsumer<String, Tensor> action) {
        Map<String, Tensor> params = module.namedParameters();
        if (!params.keySet().equals(shadow.keySet())) {
            throw new IllegalArgumentException("module parameters " + params.keySet() + " do not match the EMA's " + shadow.keySet());
        }
        params.forEach((name, p) -> checkShape(name, shadow.get(name), p));
        params.forEach(action);
    }

    private static void checkShape(String name, Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new IllegalArgumentException("EMA tensor '" + name + "' has shape " + Shape.str(expected.shape()) + ", got " + Shape.str(actual.shape()));
        }
    }

    /** A fresh contiguous copy cut from the graph. */
    private static Tensor copy(Tensor t) {
        return t.backend().copy(t, t.dtype());
    }
}
