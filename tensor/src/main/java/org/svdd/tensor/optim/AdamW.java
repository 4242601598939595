package org.svdd.tensor.optim;

import org.svdd.tensor.Grad;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter). For each parameter p with gradient g at step t:
 * <pre>
 *   m = beta1 m + (1 - beta1) g          v = beta2 v + (1 - beta2) g^2
 *   p = p (1 - lr wd) - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 * Parameters are updated in place (their identity is kept); parameters without a gradient are skipped.
 */
public final class AdamW {
    /** Hyper-parameters, PyTorch's defaults. */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public Config {
            if (lr < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weightDecay < 0) {
                throw new IllegalArgumentException("invalid AdamW config " + this);
            }
        }

        public static Config defaults(double lr) {
            return new Config(lr, 0.9, 0.999, 1e-8, 0.01);
        }
    }

    private final List<Tensor> params;
    private final Config config;
    private final Tensor[] m, v;
    private long step;

    public AdamW(List<Tensor> params, Config config) {
        this.params = List.copyOf(params);
        this.config = config;
        this.m = new Tensor[params.size()];
        this.v = new Tensor[params.size()];
    }

    /** Number of updates done so far: t of the bias corrections. */
    public long step() {
        return step;
    }

    /** One update with the configured learning rate. */
    public void update() {
        update(config.lr());
    }

    /** One update with learning rate lr (from a schedule), under no-grad; parameters are written in place. */
    public void update(double lr) {
        step++;
        double c1 = 1 - Math.pow(config.beta1(), step), c2 = 1 - Math.pow(config.beta2(), step);
        Grad.noGrad(() -> {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), g = p.grad();
                if (g == null) continue;
                m[i] = moment(m[i], m[i] == null ? g.mul(1 - config.beta1()) : m[i].mul(config.beta1()).add(g.mul(1 - config.beta1())));
                v[i] = moment(v[i], v[i] == null ? g.square().mul(1 - config.beta2()) : v[i].mul(config.beta2()).add(g.square().mul(1 - config.beta2())));
                Tensor stepDir = m[i].div(c1).div(v[i].div(c2).sqrt().add(config.eps()));
                Tensor next = p.detach().mul(1 - lr * config.weightDecay()).sub(stepDir.mul(lr));
                p.backend().assign(p, next);
            }
            return null;
        });
    }

    /** The moment held across steps, allocated outside any {@link Memory} scope once and then written in place. */
    private static Tensor moment(Tensor held, Tensor next) {
        Tensor m = held != null ? held : Memory.outside(() -> next.backend().zeros(next.dtype(), next.shape()));
        m.backend().assign(m, next);
        return m;
    }

    /** Moments and step count, named "m.i" / "v.i" by parameter index, for checkpoints that resume training. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (m[i] != null) s.put("m." + i, m[i]);
            if (v[i] != null) s.put("v." + i, v[i]);
        }
        return s;
    }

    /** Restores {@link #state()} and the step count; every moment must match its parameter's shape. */
    public void loadState(Map<String, Tensor> s, long stepCount) {
        for (int i = 0; i < params.size(); i++) {
            Tensor mi = s.get("m." + i), vi = s.get("v." + i);
            if ((mi == null) != (vi == null)) throw new IllegalArgumentException("optimizer state for parameter " + i + " has only one of m." + i + ", v." + i);
            for (Tensor t : new Tensor[]{mi, vi}) {
                if (t != null && !Arrays.equals(t.shape(), params.get(i).shape())) {
                    throw new IllegalArgumentException("optimizer state for parameter " + i + " has shape " + Shape.str(t.shape()) + ", the parameter " + Shape.str(params.get(i).shape()));
                }
            }
        }
        for (int i = 0; i < params.size(); i++) {
            m[i] = s.get("m." + i);
            v[i] = s.get("v." + i);
        }
        this.step = stepCount;
    }
}
