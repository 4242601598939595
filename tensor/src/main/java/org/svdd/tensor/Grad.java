package org.svdd.tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode autograd. Every differentiable op records a {@link Node}: its inputs and a backward rule that maps
 * the gradient of the output to gradients of the inputs (same shapes as the inputs). {@link #backward} walks the
 * graph once in reverse topological order, accumulates into leaves' {@code grad}, and frees the graph.
 */
public final class Grad {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Grad() {
    }

    /** The backward rule of one op: gradient of the output in, gradients of the inputs out (null where not needed). */
    @FunctionalInterface
    public interface Rule {
        Tensor[] apply(Tensor gradOut);
    }

    /** One recorded op. */
    public record Node(Tensor[] inputs, Rule rule) {
    }

    /** A no-grad scope; closing it throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Scope in which no graph is recorded (sampling, evaluation, optimizer steps). Use with try-with-resources. */
    public static Scope noGradScope() {
        NO_GRAD_DEPTH.get()[0]++;
        return () -> NO_GRAD_DEPTH.get()[0]--;
    }

    /** Runs body without recording a graph. */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        NO_GRAD_DEPTH.get()[0]++;
        try {
            return body.get();
        } finally {
            NO_GRAD_DEPTH.get()[0]--;
        }
    }

    public static boolean enabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** Attaches a node to out if recording is on and any input needs a gradient; returns out. */
    static Tensor record(Tensor out, Rule rule, Tensor... inputs) {
        if (!enabled()) return out;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                out.attach(new Node(inputs, rule));
                return out;
            }
        }
        return out;
    }

    static void backward(Tensor root, Tensor seed) {
        walk(root, seed, Tensor::accumulateGrad);
    }

    /**
     * The gradient of a scalar {@code root} with respect to {@code wrt} (a tensor that requires grad), leaving every
     * leaf's {@code grad} untouched (model parameters included) and freeing the graph. This is what guidance needs:
     * d r(x0_hat(x_t)) / d x_t through a frozen denoiser. Zeros when root does not depend on wrt.
     */
    public static Tensor gradient(Tensor root, Tensor wrt) {
        if (root.numel() != 1) throw new IllegalArgumentException("gradient needs a scalar, got shape " + Shape.str(root.shape()));
        if (!wrt.requiresGrad()) throw new IllegalArgumentException("gradient: the input does not require grad");
        Tensor[] out = new Tensor[1];
        if (root.requiresGrad()) {
            walk(root, Tensor.full(root.backend(), root.dtype(), 1.0, root.shape()), (leaf, g) -> {
                if (leaf == wrt) out[0] = out[0] == null ? g.contiguous() : out[0].add(g);
            });
        }
        return out[0] != null ? out[0] : Tensor.full(wrt.backend(), wrt.dtype(), 0.0, wrt.shape());
    }

    private static void walk(Tensor root, Tensor seed, java.util.function.BiConsumer<Tensor, Tensor> leafSink) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (Scope ignored = noGradScope()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.node();
                if (node == null) {
                    leafSink.accept(t, g);
                    continue;
                }
                Tensor[] gIn = node.rule().apply(g);
                for (int k = 0; k < node.inputs().length; k++) {
                    Tensor in = node.inputs()[k];
                    if (in == null || !in.requiresGrad() || gIn[k] == null) continue;
                    if (!java.util.Arrays.equals(gIn[k].shape(), in.shape())) {
                        throw new IllegalStateException("backward rule produced gradient of shape " + Shape.str(gIn[k].shape())
                                + " for input of shape " + Shape.str(in.shape()));
                    }
                    grads.merge(in, gIn[k], Tensor::add);
                }
                t.detachGraph();
            }
        }
    }

    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        // iterative DFS (deep graphs would overflow the stack recursively)
        List<Object[]> stack = new ArrayList<>();
        stack.add(new Object[]{root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Node node = t.node();
            Tensor[] ins = node == null ? new Tensor[0] : node.inputs();
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor c = ins[next];
                if (c != null && c.requiresGrad() && seen.put(c, true) == null) stack.add(new Object[]{c, 0});
            } else {
                order.add(t);
                stack.remove(stack.size() - 1);
            }
        }
        return order;
    }
}
