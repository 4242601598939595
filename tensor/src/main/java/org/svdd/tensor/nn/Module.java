package org.svdd.tensor.nn;

import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A layer or model: named parameters and named children, registered in the constructor, and a train/eval mode.
 * {@link #namedParameters()} gives dotted names ("down.0.conv1.weight") in registration order, which are the
 * tensor names of a checkpoint.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter; returns it. */
    protected final Tensor param(String name, Tensor t) {
        if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate name '" + name + "'");
        params.put(name, t.requiresGrad(true));
        return t;
    }

    /** Registers a submodule; returns it. */
    protected final <M extends Module> M child(String name, M m) {
        if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate name '" + name + "'");
        children.put(name, m);
        return m;
    }

    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public final long numParameters() {
        long n = 0;
        for (Tensor t : parameters()) n += t.numel();
        return n;
    }

    public final void zeroGrad() {
        for (Tensor t : parameters()) t.zeroGrad();
    }

    public final boolean isTraining() {
        return training;
    }

    /** Training mode (dropout active) for this module and all children; returns this. */
    public final Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode for this module and all children; returns this. */
    public final Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean t) {
        training = t;
        for (Module m : children.values()) m.setTraining(t);
    }

    /**
     * Copies values into the parameters, in place. Every parameter must be present with its shape; an extra,
     * missing or mis-shaped tensor is an error that names it.
     */
    public final void loadState(Map<String, Tensor> state) {
        Map<String, Tensor> mine = namedParameters();
        Set<String> missing = new TreeSet<>(mine.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(mine.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state does not match the model: missing " + missing + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor src = state.get(e.getKey()), dst = e.getValue();
            if (!Arrays.equals(src.shape(), dst.shape())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape " + Shape.str(dst.shape()) + " but the state has " + Shape.str(src.shape()));
            }
            dst.backend().assign(dst, src.to(dst.backend()).toDType(dst.dtype()));
        }
    }
}
