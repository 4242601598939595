package org.svdd.tensor.optim;

import org.svdd.tensor.Grad;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of a module's parameters, shadow = decay shadow + (1 - decay) param, the weights
 * diffusion models are usually sampled with.
 */
public final class Ema {
    private final double decay;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();

    public Ema(Module module, double decay) {
        if (decay < 0 || decay > 1) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        this.decay = decay;
        Grad.noGrad(() -> {
            module.namedParameters().forEach((k, p) -> shadow.put(k, p.detach().mul(1.0)));
            return null;
        });
    }

    public void update(Module module) {
        Grad.noGrad(() -> {
            module.namedParameters().forEach((k, p) -> shadow.put(k, shadow.get(k).mul(decay).add(p.detach().mul(1 - decay))));
            return null;
        });
    }

    /** The averaged weights by parameter name (for checkpoints, or {@code module.loadState(ema.shadow())}). */
    public Map<String, Tensor> shadow() {
        return shadow;
    }

    /** Replaces the average (resuming from a checkpoint). */
    public void load(Map<String, Tensor> weights) {
        if (!weights.keySet().equals(shadow.keySet())) throw new IllegalArgumentException("EMA weights do not match the model's parameters");
        shadow.putAll(weights);
    }
}
