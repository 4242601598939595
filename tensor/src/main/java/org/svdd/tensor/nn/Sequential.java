package org.svdd.tensor.nn;

import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Layers applied in order; children are named "0", "1", ... Activations come in as {@link #activation}. */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    /** Appends a layer, registering it as child "index" when it has parameters or a mode; returns this. */
    public Sequential add(Layer layer) {
        if (layer instanceof Module m) child(Integer.toString(layers.size()), m);
        layers.add(layer);
        return this;
    }

    /** A parameter-free layer applying an elementwise op. */
    public static Layer activation(UnaryOp op) {
        return x -> x.unary(op);
    }

    /** A parameter-free layer from any tensor function. */
    public static Layer of(UnaryOperator<Tensor> f) {
        return f::apply;
    }

    /** x -> layer_n(... layer_1(x)); shapes as each layer says. */
    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) x = l.forward(x);
        return x;
    }
}
