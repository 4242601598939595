package org.svdd.tensor.nn;

import org.svdd.tensor.Backend;
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
 * tensor names of a checkpoint. Layers read their parameters back with {@link #param(String)}, so that
 * {@link #to(Backend)} can replace them.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter (marks it requiresGrad); returns it. */
    protected final Tensor param(String name, Tensor t) {
        checkFreeName(name);
        params.put(name, t.requiresGrad(true));
        return t;
    }

    /** This module's own parameter registered under name. */
    protected final Tensor param(String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'; it has " + params.keySet());
        return t;
    }

    /** Registers a submodule; returns it. */
    protected final <M extends Module> M child(String name, M m) {
        checkFreeName(name);
        children.put(name, m);
        return m;
    }

    private void checkFreeName(String name) {
        if (name.isEmpty() || params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("parameter or child name '" + name + "' is empty or already used in " + getClass().getSimpleName());
        }
    }

    /** Every parameter of this module and its children, by dotted name, in registration order (depth first). */
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

    /** Total number of scalar parameters. */
    public final long numParameters() {
        long n = 0;
        for (Tensor t : parameters()) n += t.numel();
        return n;
    }

    /** Drops the gradient of every parameter. */
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

    /** Evaluation mode (dropout is the identity) for this module and all children; returns this. */
    public final Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean t) {
        training = t;
        for (Module m : children.values()) m.setTraining(t);
    }

    /** The backend the parameters live on (the first parameter's); a module without parameters has none and throws. */
    public final Backend backend() {
        List<Tensor> ps = parameters();
        if (ps.isEmpty()) throw new IllegalStateException(getClass().getSimpleName() + " has no parameters, so no backend");
        return ps.get(0).backend();
    }

    /**
     * Moves every parameter to backend (a copy, same dtype, gradients dropped); returns this. Parameters are new
     * tensors afterwards, so build optimizers and EMAs after moving.
     */
    public final Module to(Backend backend) {
        params.replaceAll((name, t) -> t.to(backend).requiresGrad(true));
        for (Module m : children.values()) m.to(backend);
        return this;
    }

    /**
     * Copies values into the parameters, in place (identity kept, converted to each parameter's backend and
     * dtype). Every parameter must be present with its shape; a missing, unexpected or mis-shaped tensor is an
     * error that names it.
     */
    public final void loadState(Map<String, Tensor> state) {
        Map<String, Tensor> mine = namedParameters();
        Set<String> missing = new TreeSet<>(mine.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(mine.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state does not match " + getClass().getSimpleName() + ": missing " + missing + ", unexpected " + unexpected);
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor src = state.get(e.getKey()), dst = e.getValue();
            if (!Arrays.equals(src.shape(), dst.shape())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape " + Shape.str(dst.shape()) + " but the state has " + Shape.str(src.shape()));
            }
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor dst = e.getValue();
            dst.backend().assign(dst, state.get(e.getKey()).to(dst.backend()).toDType(dst.dtype()));
        }
    }
}
