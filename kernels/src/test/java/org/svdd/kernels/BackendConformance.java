package org.svdd.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.svdd.tensor.Backend;
import org.svdd.tensor.BinaryOp;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReduceOp;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.Tolerance;
import org.svdd.tensor.UnaryOp;

/**
 * The conformance suite every fast backend must pass: each {@link Backend} primitive, and whole ops through
 * {@link F} with their autograd gradients, run on {@link ReferenceBackend} (the oracle) and on {@link #backend()}
 * with the same seeded inputs, and the results must agree within {@link #tolerance}. Inputs cover vector-length
 * tails (1, 15, 16, 17, 33, 100), empty and size-1 dims, and non-contiguous views (transposed, sliced, and
 * broadcast with stride 0). A backend test is one line: extend this class and return the backend.
 */
public abstract class BackendConformance {
    /** The backend under test. */
    protected abstract Backend backend();

    private final Backend reference = new ReferenceBackend();

    /** Which side of a comparison: the reference oracle or the device under test. */
    enum Side { REF, DUT }

    Backend be(Side s) {
        return s == Side.REF ? reference : backend();
    }

    /**
     * The one tolerance rule of this suite: {@link Tolerance#F32}, widened by sqrt(n) for results that sum n terms
     * (float rounding in a different summation order grows like a random walk).
     */
    static Tolerance tolerance(int reductionLength) {
        return Tolerance.F32.scaled(Math.sqrt(Math.max(1, reductionLength)));
    }

    /** The same logical tensor on both sides: equal data, equal view. */
    record Pair(Tensor ref, Tensor dut) {
        Tensor on(Side s) {
            return s == Side.REF ? ref : dut;
        }

        Pair map(UnaryOperator<Tensor> view) {
            return new Pair(view.apply(ref), view.apply(dut));
        }
    }

    /** A named input view, for test names and failure messages. */
    record View(String name, Pair pair) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---- inputs ----

    Pair upload(HostStorage data, int... shape) {
        return new Pair(reference.upload(copyOf(data), shape), backend().upload(copyOf(data), shape));
    }

    private static HostStorage copyOf(HostStorage h) {
        HostStorage c = HostStorage.allocate(h.dtype(), h.size());
        for (int i = 0; i < h.size(); i++) c.set(i, h.get(i));
        return c;
    }

    /** Uniform F32 values in [lo, hi). */
    Pair rand(Rng rng, double lo, double hi, int... shape) {
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (lo + (hi - lo) * rng.uniform());
        return upload(HostStorage.of(a), shape);
    }

    /** F32 values on a grid of halves in [-2, 2], so comparisons meet ties. */
    Pair randGrid(Rng rng, int... shape) {
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (rng.nextInt(9) - 4) * 0.5f;
        return upload(HostStorage.of(a), shape);
    }

    /** I64 (or I32) indices in [0, bound). */
    Pair indices(Rng rng, DType dtype, int bound, int... shape) {
        HostStorage h = HostStorage.allocate(dtype, Shape.numel(shape));
        for (int i = 0; i < h.size(); i++) h.set(i, rng.nextInt(bound));
        return upload(h, shape);
    }

    interface Source {
        Pair make(int... shape);
    }

    /** The views of one logical shape: contiguous, transposed, sliced, broadcast along axis 0, along the last axis, from a scalar. */
    static List<View> views(int[] shape, Source src) {
        List<View> out = new ArrayList<>();
        int r = shape.length;
        out.add(new View("contiguous", src.make(shape)));
        if (r >= 2) {
            int[] t = shape.clone();
            t[r - 1] = shape[r - 2];
            t[r - 2] = shape[r - 1];
            out.add(new View("transposed", src.make(t).map(x -> x.transpose(-1, -2))));
        }
        if (r >= 1) {
            int[] wide = shape.clone();
            wide[r - 1] += 3;
            out.add(new View("sliced", src.make(wide).map(x -> x.slice(-1, 2, 2 + shape[r - 1]))));
            if (shape[0] != 1) {
                int[] one = shape.clone();
                one[0] = 1;
                out.add(new View("broadcast0", src.make(one).map(x -> x.expand(shape))));
            }
            if (shape[r - 1] != 1) {
                int[] one = shape.clone();
                one[r - 1] = 1;
                out.add(new View("broadcastLast", src.make(one).map(x -> x.expand(shape))));
            }
        }
        out.add(new View("scalar", src.make().map(x -> x.expand(shape))));
        return out;
    }

    static final int[][] SHAPES = {
            {}, {0}, {1}, {15}, {16}, {17}, {33}, {100}, {3, 0}, {1, 17}, {4, 33}, {17, 1}, {3, 5, 16}, {2, 3, 4, 17}};

    // ---- comparison ----

    /** Runs op on both sides; results must agree within tol, or both sides must throw the same exception type. */
    void agree(String what, Tolerance tol, Function<Side, Tensor> op) {
        agreeAll(what, tol, s -> new Tensor[]{op.apply(s)});
    }

    void agreeAll(String what, Tolerance tol, Function<Side, Tensor[]> op) {
        Tensor[] expected;
        try {
            expected = op.apply(Side.REF);
        } catch (RuntimeException e) {
            assertThrows(e.getClass(), () -> op.apply(Side.DUT), what + ": the reference throws " + e);
            return;
        }
        Tensor[] actual = op.apply(Side.DUT);
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            String w = expected.length == 1 ? what : what + " [output " + i + "]";
            assertEquals(expected[i].dtype(), actual[i].dtype(), w + ": dtype");
            assertSame(backend(), actual[i].backend(), w + ": result is not on the backend under test");
            tol.assertClose(w, expected[i], actual[i]);
        }
    }

    private static DynamicTest test(String name, Runnable body) {
        return dynamicTest(name, body::run);
    }

    // ---- memory ----

    @TestFactory
    Stream<DynamicTest> uploadDownloadZeros() {
        List<DynamicTest> t = new ArrayList<>();
        for (int[] shape : SHAPES) {
            for (DType dt : DType.values()) {
                t.add(test("upload/download " + dt + " " + Shape.str(shape), () -> {
                    Rng rng = new Rng(1);
                    HostStorage h = HostStorage.allocate(dt, Shape.numel(shape));
                    for (int i = 0; i < h.size(); i++) h.set(i, rng.nextInt(1000) - 500);
                    agree("upload then download " + dt, tolerance(1), s -> be(s).upload(be(s).download(be(s).upload(h, shape)), shape));
                    Tensor x = backend().upload(h, shape);
                    double[] before = x.toDoubleArray();
                    h.fill(7);
                    assertArrayEquals(before, x.toDoubleArray(), "upload must copy its data");
                    assertTrue(x.isContiguous(), "upload gives a contiguous tensor");
                }));
                t.add(test("zeros " + dt + " " + Shape.str(shape), () -> agree("zeros", tolerance(1), s -> be(s).zeros(dt, shape))));
            }
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> copy() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(2);
        for (int[] shape : SHAPES) {
            for (View v : views(shape, sh -> rand(rng, -3, 3, sh))) {
                for (DType to : DType.values()) {
                    String what = "copy F32 -> " + to + " " + Shape.str(shape) + " " + v;
                    t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).copy(v.pair().on(s), to))));
                }
            }
            for (View v : views(shape, sh -> indices(rng, DType.I64, 50, sh))) {
                String what = "copy I64 -> F32 " + Shape.str(shape) + " " + v;
                t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).copy(v.pair().on(s), DType.F32))));
            }
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> assign() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(3);
        int[][] shapes = {{1}, {17}, {100}, {4, 33}, {3, 5, 16}, {3, 0}};
        for (int[] shape : shapes) {
            int r = shape.length;
            for (View src : views(shape, sh -> rand(rng, -3, 3, sh))) {
                // destinations: a whole tensor, a slice of a wider one, a transposed one
                int[] wide = shape.clone();
                wide[r - 1] += 5;
                List<View> dsts = new ArrayList<>();
                dsts.add(new View("whole", rand(rng, -1, 1, shape)));
                dsts.add(new View("slice", rand(rng, -1, 1, wide)));
                if (r >= 2) {
                    int[] tr = shape.clone();
                    tr[r - 1] = shape[r - 2];
                    tr[r - 2] = shape[r - 1];
                    dsts.add(new View("transposed", rand(rng, -1, 1, tr)));
                }
                for (View dst : dsts) {
                    String what = "assign " + Shape.str(shape) + " dst " + dst + " src " + src;
                    UnaryOperator<Tensor> view = switch (dst.name()) {
                        case "slice" -> x -> x.slice(-1, 3, 3 + shape[r - 1]);
                        case "transposed" -> x -> x.transpose(-1, -2);
                        default -> x -> x;
                    };
                    t.add(test(what, () -> agree(what, tolerance(1), s -> {
                        Tensor base = be(s).copy(dst.pair().on(s), DType.F32);
                        be(s).assign(view.apply(base), src.pair().on(s));
                        return base;
                    })));
                }
            }
        }
        return t.stream();
    }

    // ---- elementwise ----

    private static boolean positiveDomain(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT;
    }

    @TestFactory
    Stream<DynamicTest> unary() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(4);
        for (UnaryOp op : UnaryOp.values()) {
            double lo = positiveDomain(op) ? 0.05 : -4, hi = 4;
            for (int[] shape : SHAPES) {
                for (View x : views(shape, sh -> rand(rng, lo, hi, sh))) {
                    String what = "unary " + op + " " + Shape.str(shape) + " " + x;
                    t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).unary(op, x.pair().on(s)))));
                    View g = views(shape, sh -> rand(rng, -2, 2, sh)).get(0);
                    String wb = "unaryBackward " + op + " " + Shape.str(shape) + " x " + x;
                    t.add(test(wb, () -> agree(wb, tolerance(1), s -> be(s).unaryBackward(op, x.pair().on(s), g.pair().on(s)))));
                }
            }
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> binary() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(5);
        for (BinaryOp op : BinaryOp.values()) {
            Source a = op.isComparison() ? sh -> randGrid(rng, sh) : op == BinaryOp.POW ? sh -> rand(rng, 0.1, 3, sh) : sh -> rand(rng, -3, 3, sh);
            Source b = op.isComparison() ? sh -> randGrid(rng, sh) : op == BinaryOp.DIV ? sh -> rand(rng, 0.5, 2, sh) : sh -> rand(rng, -2, 2, sh);
            for (int[] shape : SHAPES) {
                for (View va : views(shape, a)) {
                    for (View vb : views(shape, b)) {
                        String what = "binary " + op + " " + Shape.str(shape) + " a " + va + " b " + vb;
                        t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).binary(op, va.pair().on(s), vb.pair().on(s)))));
                    }
                }
            }
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> where() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(6);
        for (int[] shape : SHAPES) {
            List<View> conds = views(shape, sh -> upload(mask01(rng, Shape.numel(sh)), sh));
            List<View> as = views(shape, sh -> rand(rng, -3, 3, sh));
            for (int i = 0; i < conds.size(); i++) {
                View c = conds.get(i), a = as.get(i), b = as.get((i + 1) % as.size());
                String what = "where " + Shape.str(shape) + " cond " + c + " a " + a + " b " + b;
                t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).where(c.pair().on(s), a.pair().on(s), b.pair().on(s)))));
            }
        }
        return t.stream();
    }

    private static HostStorage mask01(Rng rng, int n) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) m[i] = rng.nextInt(2);
        return HostStorage.of(m);
    }

    // ---- reductions ----

    @TestFactory
    Stream<DynamicTest> reduce() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(7);
        for (int[] shape : SHAPES) {
            for (int axis = 0; axis < shape.length; axis++) {
                int ax = axis;
                for (View x : views(shape, sh -> randGrid(rng, sh))) {
                    for (ReduceOp op : ReduceOp.values()) {
                        String what = "reduce " + op + " axis " + ax + " " + Shape.str(shape) + " " + x;
                        t.add(test(what, () -> agree(what, tolerance(shape[ax]), s -> be(s).reduce(op, x.pair().on(s), ax))));
                    }
                }
                for (View x : views(shape, sh -> rand(rng, -3, 3, sh))) {
                    String what = "reduce SUM (uniform) axis " + ax + " " + Shape.str(shape) + " " + x;
                    t.add(test(what, () -> agree(what, tolerance(shape[ax]), s -> be(s).reduce(ReduceOp.SUM, x.pair().on(s), ax))));
                }
            }
        }
        return t.stream();
    }

    /**
     * Tensors above the backends' parallel grain (32K elements), so the work is split across threads and the
     * split points fall inside innermost runs.
     */
    @TestFactory
    Stream<DynamicTest> parallelSplits() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(15);
        int[] shape = {3, 129, 101};
        List<View> xs = views(shape, sh -> rand(rng, 0.1, 3, sh)), ys = views(shape, sh -> rand(rng, -2, 2, sh));
        for (int i = 0; i < xs.size(); i++) {
            View x = xs.get(i), y = ys.get((i + 1) % ys.size());
            String on = " " + Shape.str(shape) + " " + x;
            t.add(test("copy" + on, () -> agree("copy" + on, tolerance(1), s -> be(s).copy(x.pair().on(s), DType.F32))));
            t.add(test("unary LOG" + on, () -> agree("unary LOG" + on, tolerance(1), s -> be(s).unary(UnaryOp.LOG, x.pair().on(s)))));
            t.add(test("unaryBackward TANH" + on, () -> agree("unaryBackward TANH" + on, tolerance(1),
                    s -> be(s).unaryBackward(UnaryOp.TANH, x.pair().on(s), y.pair().on(s)))));
            for (BinaryOp op : new BinaryOp[]{BinaryOp.ADD, BinaryOp.DIV, BinaryOp.GT}) {
                String what = "binary " + op + on + " b " + y;
                t.add(test(what, () -> agree(what, tolerance(1), s -> be(s).binary(op, x.pair().on(s), y.pair().on(s)))));
            }
            t.add(test("where" + on, () -> agree("where" + on, tolerance(1), s -> be(s).where(y.pair().on(s), x.pair().on(s), y.pair().on(s)))));
            for (int axis = 0; axis < shape.length; axis++) {
                int ax = axis;
                for (ReduceOp op : new ReduceOp[]{ReduceOp.SUM, ReduceOp.MAX}) {
                    String what = "reduce " + op + " axis " + ax + on;
                    t.add(test(what, () -> agree(what, tolerance(shape[ax]), s -> be(s).reduce(op, x.pair().on(s), ax))));
                }
            }
            String wa = "assign into transposed" + on;
            t.add(test(wa, () -> agree(wa, tolerance(1), s -> {
                Tensor base = be(s).zeros(DType.F32, shape[0], shape[2], shape[1]);
                be(s).assign(base.transpose(1, 2), x.pair().on(s));
                return base;
            })));
        }
        return t.stream();
    }

    // ---- linear algebra ----

    @TestFactory
    Stream<DynamicTest> matmul() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(8);
        int[][] bmkn = {{1, 1, 1, 1}, {2, 15, 17, 33}, {3, 16, 100, 17}, {1, 33, 16, 100}, {4, 1, 33, 1}, {1, 0, 5, 3}, {2, 4, 0, 3}, {2, 3, 5, 0}, {0, 3, 5, 7}, {2, 70, 65, 130}};
        for (int[] d : bmkn) {
            int nb = d[0], m = d[1], k = d[2], n = d[3];
            List<View> as = new ArrayList<>(List.of(
                    new View("contiguous", rand(rng, -1, 1, nb, m, k)),
                    new View("transposed", rand(rng, -1, 1, nb, k, m).map(x -> x.transpose(1, 2))),
                    new View("sliced", rand(rng, -1, 1, nb, m, k + 3).map(x -> x.slice(2, 1, 1 + k)))));
            List<View> bs = new ArrayList<>(List.of(
                    new View("contiguous", rand(rng, -1, 1, nb, k, n)),
                    new View("transposed", rand(rng, -1, 1, nb, n, k).map(x -> x.transpose(1, 2))),
                    new View("broadcastBatch", rand(rng, -1, 1, 1, k, n).map(x -> x.expand(nb, k, n)))));
            for (View a : as) {
                for (View b : bs) {
                    String what = "matmul " + Arrays.toString(d) + " a " + a + " b " + b;
                    t.add(test(what, () -> agree(what, tolerance(k), s -> be(s).matmul(a.pair().on(s), b.pair().on(s)))));
                }
            }
        }
        return t.stream();
    }

    /** (x shape, w shape, params) cases: stride, padding, dilation, groups, 1x1, asymmetric kernels, tails. */
    record ConvCase(int[] x, int[] w, Conv2dParams p) {
        @Override
        public String toString() {
            return "x " + Shape.str(x) + " w " + Shape.str(w) + " " + p;
        }

        int[] y() {
            return new int[]{x[0], w[0], p.outH(x[2], w[2]), p.outW(x[3], w[3])};
        }
    }

    static final List<ConvCase> CONVS = List.of(
            new ConvCase(new int[]{2, 3, 7, 9}, new int[]{4, 3, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{2, 3, 8, 9}, new int[]{5, 3, 3, 3}, Conv2dParams.of(2, 1)),
            new ConvCase(new int[]{1, 2, 9, 11}, new int[]{3, 2, 3, 3}, new Conv2dParams(1, 1, 2, 2, 2, 2, 1)),
            new ConvCase(new int[]{2, 4, 6, 7}, new int[]{6, 2, 3, 3}, Conv2dParams.of(1, 1).withGroups(2)),
            new ConvCase(new int[]{3, 6, 5, 5}, new int[]{6, 1, 3, 3}, Conv2dParams.of(1, 1).withGroups(6)),
            new ConvCase(new int[]{2, 17, 5, 4}, new int[]{16, 17, 1, 1}, Conv2dParams.of(1, 0)),
            new ConvCase(new int[]{2, 4, 6, 6}, new int[]{6, 2, 1, 1}, Conv2dParams.of(1, 0).withGroups(2)),
            new ConvCase(new int[]{2, 3, 7, 7}, new int[]{4, 3, 1, 1}, Conv2dParams.of(2, 0)),
            new ConvCase(new int[]{1, 2, 6, 10}, new int[]{3, 2, 2, 3}, new Conv2dParams(2, 3, 1, 2, 1, 2, 1)),
            new ConvCase(new int[]{2, 2, 4, 4}, new int[]{3, 2, 3, 3}, Conv2dParams.of(1, 3)),
            new ConvCase(new int[]{5, 8, 16, 17}, new int[]{16, 8, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{1, 1, 1, 1}, new int[]{1, 1, 1, 1}, Conv2dParams.of(1, 0)),
            // K * OW large enough that the im2col runs in bands of output rows, the last one partial
            new ConvCase(new int[]{2, 64, 21, 40}, new int[]{4, 64, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{1, 64, 23, 81}, new int[]{4, 32, 3, 3}, new Conv2dParams(2, 2, 1, 1, 1, 1, 2)),
            // rows a whole number of vectors and whole micro-tiles: the direct path, forward and (stride 1) input
            // gradient; with row stride 2, dilation, groups, K in two slices, no padding, and unequal padding
            new ConvCase(new int[]{2, 8, 16, 32}, new int[]{16, 8, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{2, 8, 15, 32}, new int[]{8, 8, 3, 3}, new Conv2dParams(2, 1, 1, 1, 1, 1, 1)),
            new ConvCase(new int[]{1, 8, 10, 16}, new int[]{8, 8, 3, 3}, new Conv2dParams(1, 1, 2, 2, 2, 2, 1)),
            new ConvCase(new int[]{2, 16, 8, 32}, new int[]{16, 8, 3, 3}, Conv2dParams.of(1, 1).withGroups(2)),
            new ConvCase(new int[]{1, 40, 4, 16}, new int[]{8, 40, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{1, 8, 6, 34}, new int[]{8, 8, 3, 3}, Conv2dParams.of(1, 0)),
            new ConvCase(new int[]{1, 8, 6, 16}, new int[]{8, 8, 3, 3}, new Conv2dParams(1, 1, 2, 1, 1, 1, 1)),
            // rows of 8 and 24 pixels: the direct path's 8-lane stretches where vectors are 16 lanes
            new ConvCase(new int[]{2, 8, 8, 8}, new int[]{8, 8, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{1, 8, 4, 24}, new int[]{16, 8, 3, 3}, Conv2dParams.of(1, 1)),
            // input channels a whole number of B slivers: the channels-last weight gradient, with odd sizes, more
            // output pixels than one slice, and stride, dilation and groups
            new ConvCase(new int[]{2, 32, 6, 7}, new int[]{8, 32, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{1, 32, 17, 18}, new int[]{16, 32, 3, 3}, Conv2dParams.of(1, 1)),
            new ConvCase(new int[]{2, 64, 9, 10}, new int[]{16, 32, 3, 3}, new Conv2dParams(2, 1, 1, 2, 1, 2, 2)));

    @TestFactory
    Stream<DynamicTest> matmulWithBias() {
        Rng rng = new Rng(12);
        Pair a = rand(rng, -1, 1, 1, 37, 20), w = rand(rng, -1, 1, 1, 19, 20), bias = rand(rng, -1, 1, 19);
        return Stream.of(test("matmul with bias, transposed weight", () -> agree("matmul with bias, transposed weight",
                tolerance(21), s -> be(s).matmul(a.on(s), w.on(s).transpose(1, 2), bias.on(s)))));
    }

    /**
     * groupNorm's {y, mean, rstd} and every output of groupNormBackward, with and without SiLU, gamma and beta, for
     * one channel per group, one group, odd plane sizes (vector tails), rank 3, and a mean far from 0; the backward takes
     * mean and rstd from the reference forward, so only the backward kernel is compared.
     */
    @TestFactory
    Stream<DynamicTest> groupNorm() {
        Rng rng = new Rng(15);
        List<DynamicTest> t = new ArrayList<>();
        record Case(int[] shape, int groups, double lo, double hi) {
        }
        Case[] cases = {new Case(new int[]{2, 6, 5, 7}, 3, -2, 3), new Case(new int[]{3, 8, 4, 4}, 8, -1, 1),
                new Case(new int[]{2, 4, 33}, 1, -2, 2), new Case(new int[]{1, 16, 9, 9}, 4, -3, 1),
                new Case(new int[]{2, 4, 6, 6}, 2, 100, 102)};
        String[] outputs = {"gx", "gGamma", "gBeta"};
        for (Case k : cases) {
            int c = k.shape()[1], n = k.shape()[0], m = Shape.numel(k.shape()) / (n * k.groups());
            Pair x = rand(rng, k.lo(), k.hi(), k.shape()), g = rand(rng, -1, 1, k.shape());
            Pair gamma = rand(rng, 0.5, 1.5, c), beta = rand(rng, -1, 1, c);
            for (UnaryOp act : new UnaryOp[]{null, UnaryOp.SILU})
                for (boolean affine : new boolean[]{true, false}) {
                    String what = "groupNorm " + Shape.str(k.shape()) + " groups " + k.groups() + " act " + act + (affine ? " gamma beta" : "");
                    t.add(test(what, () -> agreeAll(what, tolerance(m), s -> be(s).groupNorm(x.on(s), k.groups(),
                            affine ? gamma.on(s) : null, affine ? beta.on(s) : null, 1e-5, act))));
                    Tensor[] fwd = reference.groupNorm(x.ref(), k.groups(), affine ? gamma.ref() : null, affine ? beta.ref() : null, 1e-5, act);
                    Pair mean = upload(fwd[1].toHost(), n * k.groups(), 1), rstd = upload(fwd[2].toHost(), n * k.groups(), 1);
                    for (int i = 0; i < (affine ? 3 : 1); i++) {
                        int out = i;
                        String name = "groupNormBackward " + outputs[i] + " " + Shape.str(k.shape()) + " groups " + k.groups() + " act " + act + (affine ? " gamma beta" : "");
                        t.add(test(name, () -> agree(name, tolerance(out == 0 ? m : Shape.numel(k.shape()) / c), s -> be(s).groupNormBackward(g.on(s), x.on(s),
                                mean.on(s), rstd.on(s), k.groups(), affine ? gamma.on(s) : null, affine ? beta.on(s) : null, act)[out])));
                    }
                }
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> channelAffine() {
        Rng rng = new Rng(11);
        Pair x = rand(rng, -2, 2, 3, 5, 4, 7), gamma = rand(rng, -2, 2, 5), beta = rand(rng, -2, 2, 5);
        return Stream.of(
                test("channelAffine", () -> agree("channelAffine", tolerance(2), s -> be(s).channelAffine(x.on(s), gamma.on(s), beta.on(s)))),
                test("channelAffine scale only", () -> agree("channelAffine scale only", tolerance(1), s -> be(s).channelAffine(x.on(s), gamma.on(s), null))),
                test("channelAffine shift only", () -> agree("channelAffine shift only", tolerance(1), s -> be(s).channelAffine(x.on(s), null, beta.on(s)))),
                test("channelAffine then silu", () -> agree("channelAffine then silu", tolerance(4), s -> be(s).channelAffine(x.on(s), gamma.on(s), beta.on(s), UnaryOp.SILU))),
                test("channelAffine then gelu", () -> agree("channelAffine then gelu", tolerance(4), s -> be(s).channelAffine(x.on(s), gamma.on(s), beta.on(s), UnaryOp.GELU))));
    }

    /** Every output of channelAffineBackward, with and without the activation, gamma and beta; 84 terms per channel sum. */
    @TestFactory
    Stream<DynamicTest> channelAffineBackward() {
        Rng rng = new Rng(13);
        Pair x = rand(rng, -2, 2, 3, 5, 4, 7), g = rand(rng, -1, 1, 3, 5, 4, 7), gamma = rand(rng, -2, 2, 5), beta = rand(rng, -2, 2, 5);
        List<DynamicTest> t = new ArrayList<>();
        String[] outputs = {"gx", "gGamma", "gBeta"};
        for (UnaryOp act : new UnaryOp[]{null, UnaryOp.SILU})
            for (boolean withGamma : new boolean[]{true, false})
                for (boolean withBeta : new boolean[]{true, false})
                    for (int i = 0; i < 3; i++) {
                        if (i == 1 && !withGamma || i == 2 && !withBeta) continue;
                        int out = i;
                        String name = "channelAffineBackward " + outputs[i] + " act " + act + (withGamma ? " gamma" : "") + (withBeta ? " beta" : "");
                        t.add(test(name, () -> agree(name, tolerance(out == 0 ? 4 : 84), s -> be(s).channelAffineBackward(g.on(s), x.on(s),
                                withGamma ? gamma.on(s) : null, withBeta ? beta.on(s) : null, act)[out])));
                    }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> upsampleNearest2d() {
        Pair x = rand(new Rng(10), -1, 1, 2, 3, 4, 5);
        return Stream.of(
                test("upsampleNearest2d x2", () -> agree("upsampleNearest2d x2", tolerance(1), s -> be(s).upsampleNearest2d(x.on(s), 2))),
                test("upsampleNearest2d x3 of a transposed view", () -> agree("upsampleNearest2d x3 of a transposed view",
                        tolerance(1), s -> be(s).upsampleNearest2d(x.on(s).transpose(2, 3), 3))));
    }

    @TestFactory
    Stream<DynamicTest> conv2d() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(9);
        for (ConvCase c : CONVS) {
            Pair x = rand(rng, -1, 1, c.x()), w = rand(rng, -1, 1, c.w()), gy = rand(rng, -1, 1, c.y());
            int taps = c.w()[1] * c.w()[2] * c.w()[3];
            int og = c.w()[0] / c.p().groups();
            t.add(test("conv2d " + c, () -> agree("conv2d " + c, tolerance(taps), s -> be(s).conv2d(x.on(s), w.on(s), c.p()))));
            Pair b = rand(rng, -1, 1, c.w()[0]);
            t.add(test("conv2d with bias " + c, () -> agree("conv2d with bias " + c, tolerance(taps + 1), s -> be(s).conv2d(x.on(s), w.on(s), b.on(s), c.p()))));
            t.add(test("conv2dBackwardInput " + c, () -> agree("conv2dBackwardInput " + c, tolerance(og * c.w()[2] * c.w()[3]),
                    s -> be(s).conv2dBackwardInput(gy.on(s), w.on(s), c.x(), c.p()))));
            t.add(test("conv2dBackwardWeight " + c, () -> agree("conv2dBackwardWeight " + c, tolerance(c.y()[0] * c.y()[2] * c.y()[3]),
                    s -> be(s).conv2dBackwardWeight(x.on(s), gy.on(s), c.w(), c.p()))));
            // on one thread every batch takes the paths that need an image per worker, whatever this machine's cores
            t.add(test("conv2d, both gradients, one thread " + c, () -> oneThread(() -> {
                agree("conv2d one thread " + c, tolerance(taps), s -> be(s).conv2d(x.on(s), w.on(s), c.p()));
                agree("conv2dBackwardInput one thread " + c, tolerance(og * c.w()[2] * c.w()[3]),
                        s -> be(s).conv2dBackwardInput(gy.on(s), w.on(s), c.x(), c.p()));
                agree("conv2dBackwardWeight one thread " + c, tolerance(c.y()[0] * c.y()[2] * c.y()[3]),
                        s -> be(s).conv2dBackwardWeight(x.on(s), gy.on(s), c.w(), c.p()));
            })));
        }
        return t.stream();
    }

    /** Runs body with the CPU pool at one thread, then restores it. */
    private static void oneThread(Runnable body) {
        int saved = Parallel.threads();
        Parallel.setThreads(1);
        try {
            body.run();
        } finally {
            Parallel.setThreads(saved);
        }
    }

    // ---- fused rows ----

    @TestFactory
    Stream<DynamicTest> softmax() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(10);
        int[][] shapes = {{1}, {15}, {16}, {17}, {33}, {100}, {4, 1}, {4, 17}, {3, 5, 33}, {3, 0}, {0, 5}};
        for (int[] shape : shapes) {
            Pair x = rand(rng, -6, 6, shape);
            Pair withInf = upload(withNegInf(rng, x.ref().toFloatArray(), shape[shape.length - 1]), shape);
            for (boolean log : new boolean[]{false, true}) {
                String what = (log ? "logSoftmax " : "softmax ") + Shape.str(shape);
                t.add(test(what, () -> agree(what, tolerance(shape[shape.length - 1]), s -> be(s).softmax(x.on(s), log))));
                t.add(test(what + " with -inf", () -> agree(what + " with -inf", tolerance(shape[shape.length - 1]), s -> be(s).softmax(withInf.on(s), log))));
            }
        }
        return t.stream();
    }

    /** Sets about a quarter of the entries to -inf, never a whole row. */
    private static HostStorage withNegInf(Rng rng, float[] a, int rowLen) {
        for (int i = 0; i < a.length; i++) {
            if (i % rowLen != 0 && rng.nextInt(4) == 0) a[i] = Float.NEGATIVE_INFINITY;
        }
        return HostStorage.of(a);
    }

    @TestFactory
    Stream<DynamicTest> normalizeRows() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(11);
        int[][] shapes = {{1, 1}, {1, 15}, {3, 16}, {5, 17}, {2, 33}, {4, 100}, {2, 1000}, {0, 7}};
        for (int[] shape : shapes) {
            Pair x = rand(rng, -3, 5, shape), gy = rand(rng, -1, 1, shape);
            String what = "normalizeRows " + Shape.str(shape);
            t.add(test(what, () -> agreeAll(what, tolerance(shape[1]), s -> be(s).normalizeRows(x.on(s), 1e-5))));
            // the backward takes y and rstd from the reference forward so that only the backward kernel is compared
            Tensor[] yr = reference.normalizeRows(x.ref(), 1e-5);
            Pair y = upload(yr[0].toHost(), shape), rstd = upload(yr[1].toHost(), shape[0], 1);
            String wb = "normalizeRowsBackward " + Shape.str(shape);
            t.add(test(wb, () -> agree(wb, tolerance(shape[1]), s -> be(s).normalizeRowsBackward(gy.on(s), y.on(s), rstd.on(s)))));
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> attention() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(12);
        int[][] bstde = {{1, 1, 1, 1, 1}, {2, 15, 17, 16, 15}, {3, 16, 33, 17, 16}, {1, 100, 100, 33, 17}, {2, 1, 65, 8, 8}, {2, 0, 5, 4, 4}, {1, 3, 0, 4, 4}};
        for (int[] d : bstde) {
            int b = d[0], s = d[1], tt = d[2], dd = d[3], e = d[4];
            Pair q = rand(rng, -1, 1, b, s, dd), k = rand(rng, -1, 1, b, tt, dd), v = rand(rng, -1, 1, b, tt, e);
            double scale = 1 / Math.sqrt(Math.max(dd, 1));
            String name = "attention " + Arrays.toString(d);
            t.add(test(name + " no mask", () -> agree(name, tolerance(tt), side -> be(side).attention(q.on(side), k.on(side), v.on(side), null, scale))));
            Pair mask = upload(causalMask(b, s, tt), b, s, tt);
            t.add(test(name + " causal mask", () -> agree(name + " causal mask", tolerance(tt), side -> be(side).attention(q.on(side), k.on(side), v.on(side), mask.on(side), scale))));
            Pair shared = rand(rng, -2, 2, 1, s, tt).map(m -> m.expand(b, s, tt));
            t.add(test(name + " broadcast mask", () -> agree(name + " broadcast mask", tolerance(tt), side -> be(side).attention(q.on(side), k.on(side), v.on(side), shared.on(side), scale))));
            Pair transposed = rand(rng, -2, 2, b, tt, s).map(m -> m.transpose(1, 2));
            t.add(test(name + " transposed mask", () -> agree(name + " transposed mask", tolerance(tt), side -> be(side).attention(q.on(side), k.on(side), v.on(side), transposed.on(side), scale))));
            // backward: gq, gk, gv; sums run over keys (gq) or query rows (gk, gv), through two products
            Pair g = rand(rng, -1, 1, b, s, e);
            Tolerance tb = tolerance(2 * (tt + s + dd + e));
            String bw = "attentionBackward " + Arrays.toString(d);
            t.add(test(bw + " no mask", () -> agreeAll(bw, tb, side -> be(side).attentionBackward(q.on(side), k.on(side), v.on(side), null, scale, g.on(side)))));
            t.add(test(bw + " causal mask", () -> agreeAll(bw + " causal mask", tb, side -> be(side).attentionBackward(q.on(side), k.on(side), v.on(side), mask.on(side), scale, g.on(side)))));
            t.add(test(bw + " broadcast mask", () -> agreeAll(bw + " broadcast mask", tb, side -> be(side).attentionBackward(q.on(side), k.on(side), v.on(side), shared.on(side), scale, g.on(side)))));
            t.add(test(bw + " transposed mask", () -> agreeAll(bw + " transposed mask", tb, side -> be(side).attentionBackward(q.on(side), k.on(side), v.on(side), transposed.on(side), scale, g.on(side)))));
        }
        return t.stream();
    }

    /** -inf above the diagonal (j > i), and the whole last row of every batch blocked (output must be 0 there). */
    private static HostStorage causalMask(int b, int s, int t) {
        float[] m = new float[b * s * t];
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < s; i++)
                for (int j = 0; j < t; j++) {
                    boolean blocked = j > i || (i == s - 1 && s > 1);
                    m[(bi * s + i) * t + j] = blocked ? Float.NEGATIVE_INFINITY : 0;
                }
        return HostStorage.of(m);
    }

    // ---- indexing ----

    @TestFactory
    Stream<DynamicTest> indexing() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(13);
        int[][] rnj = {{1, 1, 1}, {3, 17, 5}, {4, 100, 33}, {2, 16, 0}, {0, 4, 3}, {5, 1, 16}};
        for (DType it : new DType[]{DType.I64, DType.I32}) {
            for (int[] d : rnj) {
                int r = d[0], n = d[1], j = d[2];
                Pair x = rand(rng, -2, 2, r, n), idx = indices(rng, it, n, r, j), src = rand(rng, -2, 2, r, j);
                String suffix = " " + it + " " + Arrays.toString(d);
                t.add(test("gather" + suffix, () -> agree("gather" + suffix, tolerance(1), s -> be(s).gather(x.on(s), idx.on(s)))));
                t.add(test("scatterAdd" + suffix, () -> agree("scatterAdd" + suffix, tolerance(j), s -> be(s).scatterAdd(idx.on(s), src.on(s), n))));
                Pair table = rand(rng, -2, 2, n, j), ids = indices(rng, it, n, r), rows = rand(rng, -2, 2, r, j);
                t.add(test("indexSelect" + suffix, () -> agree("indexSelect" + suffix, tolerance(1), s -> be(s).indexSelect(table.on(s), ids.on(s)))));
                t.add(test("indexAdd" + suffix, () -> agree("indexAdd" + suffix, tolerance(r), s -> be(s).indexAdd(ids.on(s), rows.on(s), n))));
            }
            Pair x = rand(rng, -2, 2, 2, 5), bad = upload(badIndices(it), 2, 2), src = rand(rng, -1, 1, 2, 2);
            t.add(test("out of range " + it, () -> {
                agree("gather out of range", tolerance(1), s -> be(s).gather(x.on(s), bad.on(s)));
                agree("scatterAdd out of range", tolerance(1), s -> be(s).scatterAdd(bad.on(s), src.on(s), 5));
                agree("indexSelect out of range", tolerance(1), s -> be(s).indexSelect(x.on(s), bad.on(s).reshape(4)));
                agree("indexAdd out of range", tolerance(1), s -> be(s).indexAdd(bad.on(s).reshape(4), rand(new Rng(0), -1, 1, 4, 5).on(s), 2));
            }));
        }
        return t.stream();
    }

    // ---- token ids: compared, selected and gathered in their own dtype, never through a float ----

    /**
     * Values of each dtype for the exact-move tests: neighbours that one F32 cannot tell apart (2^24, 2^24 + 1,
     * 2^24 + 3), ids past the int range, and for the floating dtypes -0, NaN and a double that F32 would round.
     */
    private static double[] pool(DType dt) {
        double e24 = 1 << 24;
        return switch (dt) {
            case I64 -> new double[]{0, 1, -1, e24, e24 + 1, e24 + 3, (1L << 31) + 5, (1L << 40) + 3, -(1L << 33) - 1, (1L << 53) - 1};
            case I32 -> new double[]{0, 1, -1, e24, e24 + 1, e24 + 3, (1 << 30) + 5, -(1 << 24) - 3, Integer.MAX_VALUE, Integer.MIN_VALUE};
            case F64 -> new double[]{0, -0.0, 1, e24 + 1, 1 + 0x1p-40, -3.5, 1e300, Double.NaN};
            case F32 -> new double[]{0, -0.0, 1, e24, 0.5, -2, Double.NaN};
        };
    }

    /** Values of dtype dt drawn from {@link #pool}, so that equal and neighbouring values meet. */
    Pair drawn(Rng rng, DType dt, int... shape) {
        double[] pool = pool(dt);
        HostStorage h = HostStorage.allocate(dt, Shape.numel(shape));
        for (int i = 0; i < h.size(); i++) h.set(i, pool[rng.nextInt(pool.length)]);
        return upload(h, shape);
    }

    private static final int[][] ID_SHAPES = {{}, {17}, {4, 33}, {3, 0}, {2, 3, 4, 17}};
    private static final DType[] NOT_F32 = {DType.F64, DType.I32, DType.I64};

    /** Comparisons, where and indexSelect on every dtype (F32 has its own tests above), bit for bit against the reference. */
    @TestFactory
    Stream<DynamicTest> everyDtype() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(16);
        for (int[] shape : ID_SHAPES) {
            for (DType dt : NOT_F32) {
                List<View> as = views(shape, sh -> drawn(rng, dt, sh)), bs = views(shape, sh -> drawn(rng, dt, sh));
                for (BinaryOp op : BinaryOp.values()) {
                    if (!op.isComparison()) continue;
                    for (int i = 0; i < as.size(); i++) {
                        View a = as.get(i), b = bs.get((i + 1) % bs.size());
                        String what = "binary " + op + " " + dt + " " + Shape.str(shape) + " a " + a + " b " + b;
                        t.add(test(what, () -> agree(what, Tolerance.EXACT, s -> be(s).binary(op, a.pair().on(s), b.pair().on(s)))));
                    }
                }
            }
            for (DType ct : DType.values()) {
                List<View> conds = views(shape, sh -> drawn(rng, ct, sh));
                for (DType vt : DType.values()) {
                    List<View> vs = views(shape, sh -> drawn(rng, vt, sh));
                    for (int i = 0; i < conds.size(); i++) {
                        View c = conds.get(i), a = vs.get(i), b = vs.get((i + 2) % vs.size());
                        String what = "where cond " + ct + " values " + vt + " " + Shape.str(shape) + " cond " + c + " a " + a + " b " + b;
                        t.add(test(what, () -> agree(what, Tolerance.EXACT, s -> be(s).where(c.pair().on(s), a.pair().on(s), b.pair().on(s)))));
                    }
                }
            }
        }
        int[][] vdl = {{1, 1, 1}, {7, 5, 9}, {40, 17, 33}, {3, 0, 4}, {5, 16, 0}};
        for (DType dt : NOT_F32) {
            for (DType it : new DType[]{DType.I64, DType.I32}) {
                for (int[] d : vdl) {
                    Pair table = drawn(rng, dt, d[0], d[1]), ids = indices(rng, it, d[0], d[2]);
                    String what = "indexSelect " + dt + " table, " + it + " ids " + Arrays.toString(d);
                    t.add(test(what, () -> agree(what, Tolerance.EXACT, s -> be(s).indexSelect(table.on(s), ids.on(s)))));
                }
                Pair table = drawn(rng, dt, 2, 5), bad = upload(badIndices(it), 4);
                String what = "indexSelect " + dt + " table, " + it + " ids out of range";
                t.add(test(what, () -> agree(what, Tolerance.EXACT, s -> be(s).indexSelect(table.on(s), bad.on(s)))));
            }
        }
        return t.stream();
    }

    /**
     * The samplers' token patterns through {@link Tensor} and {@link F} on each side, against known answers: ids that
     * F32 rounds together (2^24 and 2^24 + 1), and past the int range, stay apart.
     */
    @TestFactory
    Stream<DynamicTest> tokenIdsPastFloatPrecision() {
        long mask = 1L << 24, big = (1L << 40) + 1;
        long[] x = {5, mask, mask + 1, mask, big, 3};
        long[] fill = {7, mask + 1, 9, (1L << 31) + 3, 8, mask + 3};
        return Stream.of(Side.values()).map(side -> test("token ids on " + side, () -> {
            Backend be = be(side);
            Tensor xs = be.upload(HostStorage.of(x.clone()), 2, 3), fs = be.upload(HostStorage.of(fill.clone()), 2, 3);
            Tensor isMask = xs.eq(mask);                                           // I64 1/0
            assertArrayEquals(new long[]{0, 1, 0, 1, 0, 0}, isMask.toLongArray(), "x == MASK");
            assertArrayEquals(new float[]{0, 1, 0, 1, 0, 0}, isMask.toDType(DType.F32).toFloatArray(), "the F32 mask indicator");
            Tensor filled = Tensor.where(isMask, fs, xs);
            assertEquals(DType.I64, filled.dtype());
            assertArrayEquals(new long[]{5, mask + 1, mask + 1, (1L << 31) + 3, big, 3}, filled.toLongArray(), "MASK filled");
            Tensor rows = F.indexSelect(xs.reshape(2, 1, 3), be.upload(HostStorage.of(new int[]{1, 0, 1}), 3));
            assertEquals(DType.I64, rows.dtype());
            assertArrayEquals(new int[]{3, 1, 3}, rows.shape());
            assertArrayEquals(new long[]{mask, big, 3, 5, mask, mask + 1, mask, big, 3}, rows.toLongArray(), "rows 1, 0, 1");
            Tensor picked = F.indexSelect(xs, be.upload(HostStorage.of(new long[]{1}), 1));
            assertArrayEquals(new long[]{mask, big, 3}, picked.toLongArray(), "row 1 by an I64 index");
        }));
    }

    private static HostStorage badIndices(DType dt) {
        HostStorage h = HostStorage.allocate(dt, 4);
        h.set(0, 1);
        h.set(1, 7);
        h.set(2, -1);
        h.set(3, 0);
        return h;
    }

    // ---- whole ops through F, with gradients ----

    /** A whole op on one side; in holds that side's differentiable leaves. */
    interface SideFn {
        Tensor apply(Side s, List<Tensor> in);
    }

    /** out = f(leaves) on one side, then backward of sum(out * u) for a seeded u: gives out and every leaf's gradient. */
    Tensor[] forwardBackward(Side s, SideFn f, Pair... inputs) {
        List<Tensor> leaves = new ArrayList<>();
        for (Pair p : inputs) leaves.add(p.on(s).detach().requiresGrad(true));
        Tensor out = f.apply(s, leaves);
        Rng rng = new Rng(99);
        float[] u = new float[out.numel()];
        for (int i = 0; i < u.length; i++) u[i] = (float) rng.normal();
        out.backward(be(s).upload(HostStorage.of(u), out.shape()));
        Tensor[] r = new Tensor[inputs.length + 1];
        r[0] = out;
        for (int i = 0; i < inputs.length; i++) r[i + 1] = leaves.get(i).grad();
        return r;
    }

    private DynamicTest whole(String name, int reductionLength, SideFn f, Pair... inputs) {
        return test(name, () -> agreeAll(name + " (output, then gradients)", tolerance(reductionLength), s -> forwardBackward(s, f, inputs)));
    }

    @TestFactory
    Stream<DynamicTest> wholeOps() {
        List<DynamicTest> t = new ArrayList<>();
        Rng rng = new Rng(14);
        for (ConvCase c : CONVS) {
            Pair bias = rand(rng, -1, 1, c.w()[0]);
            t.add(whole("F.conv2d " + c, c.y()[0] * c.y()[2] * c.y()[3], (s, in) -> F.conv2d(in.get(0), in.get(1), in.get(2), c.p()),
                    rand(rng, -1, 1, c.x()), rand(rng, -1, 1, c.w()), bias));
        }
        ConvCase first = CONVS.get(0);
        t.add(whole("F.conv2d bias per image " + first, first.y()[0] * first.y()[2] * first.y()[3], (s, in) -> F.conv2d(in.get(0), in.get(1), in.get(2), first.p()),
                rand(rng, -1, 1, first.x()), rand(rng, -1, 1, first.w()), rand(rng, -1, 1, first.x()[0], first.w()[0])));
        t.add(whole("F.conv2d transposed input view", 200, (s, in) -> F.conv2d(in.get(0).transpose(2, 3), in.get(1), null, Conv2dParams.of(1, 1)),
                rand(rng, -1, 1, 2, 3, 9, 7), rand(rng, -1, 1, 4, 3, 3, 3)));
        Pair mask = upload(causalMask(1, 17, 33), 1, 1, 17, 33);
        t.add(whole("F.attention 4-D with mask", 33, (s, in) -> F.attention(in.get(0), in.get(1), in.get(2), mask.on(s), 0.25),
                rand(rng, -1, 1, 2, 3, 17, 16), rand(rng, -1, 1, 2, 3, 33, 16), rand(rng, -1, 1, 2, 3, 33, 15)));
        t.add(whole("F.attention no mask", 33, (s, in) -> F.attention(in.get(0), in.get(1), in.get(2), null, 0.3),
                rand(rng, -1, 1, 2, 15, 8), rand(rng, -1, 1, 2, 33, 8), rand(rng, -1, 1, 2, 33, 17)));
        t.add(whole("F.layerNorm", 33, (s, in) -> F.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5),
                rand(rng, -2, 3, 4, 5, 33), rand(rng, 0.5, 1.5, 33), rand(rng, -1, 1, 33)));
        t.add(whole("F.groupNorm", 100, (s, in) -> F.groupNorm(in.get(0), 3, in.get(1), in.get(2), 1e-5),
                rand(rng, -2, 3, 2, 6, 5, 7), rand(rng, 0.5, 1.5, 6), rand(rng, -1, 1, 6)));
        t.add(whole("F.groupNorm then silu", 100, (s, in) -> F.groupNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5, UnaryOp.SILU),
                rand(rng, -2, 3, 3, 4, 6, 5), rand(rng, 0.5, 1.5, 4), rand(rng, -1, 1, 4)));
        Pair targets = indices(rng, DType.I64, 33, 17);
        t.add(whole("F.crossEntropy", 33, (s, in) -> F.crossEntropy(in.get(0), targets.on(s)),
                rand(rng, -4, 4, 17, 33)));
        t.add(whole("F.softmax middle axis", 17, (s, in) -> F.softmax(in.get(0), 1), rand(rng, -3, 3, 3, 17, 5)));
        t.add(whole("F.logSoftmax", 100, (s, in) -> F.logSoftmax(in.get(0), -1), rand(rng, -3, 3, 4, 100)));
        t.add(whole("F.linear", 100, (s, in) -> F.linear(in.get(0), in.get(1), in.get(2)),
                rand(rng, -1, 1, 3, 5, 33), rand(rng, -1, 1, 17, 33), rand(rng, -1, 1, 17)));
        t.add(whole("matmul broadcast batch", 100, (s, in) -> in.get(0).matmul(in.get(1)),
                rand(rng, -1, 1, 2, 3, 15, 16), rand(rng, -1, 1, 3, 16, 17)));
        Pair ids = indices(rng, DType.I64, 20, 3, 7);
        t.add(whole("F.embedding", 21, (s, in) -> F.embedding(in.get(0), ids.on(s)),
                rand(rng, -1, 1, 20, 16)));
        t.add(whole("pooling and upsampling", 16, (s, in) -> F.upsampleNearest2d(F.maxPool2d(in.get(0), 2).add(F.avgPool2d(in.get(0), 2)), 2),
                rand(rng, -1, 1, 2, 3, 8, 6)));
        t.add(whole("elementwise chain", 17, (s, in) -> in.get(0).gelu().mul(in.get(1).sigmoid()).add(in.get(0).silu()).div(in.get(1).exp().add(1)).sum(1, false),
                rand(rng, -2, 2, 4, 17), rand(rng, -2, 2, 4, 17)));
        Pair rowIds = indices(rng, DType.I32, 6, 9);
        t.add(whole("F.indexSelect", 9, (s, in) -> F.indexSelect(in.get(0), rowIds.on(s)), rand(rng, -1, 1, 6, 2, 5)));
        return t.stream();
    }
}
