package org.svdd.tensor;

import java.util.List;
import java.util.function.Function;

/**
 * Gradient check in double on the reference backend: for f(inputs) with a random upstream gradient u, compares the
 * autograd gradient of sum(u * f) with central differences (f(x + h) - f(x - h)) / 2h, element by element.
 */
public final class GradCheck {
    private static final double H = 1e-6;

    private GradCheck() {
    }

    /** Inputs must be F64 leaves on the reference backend; they are marked requiresGrad here. */
    public static void check(String name, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) t.requiresGrad(true);
        Tensor out = f.apply(List.of(inputs));
        Rng rng = new Rng(name.hashCode());
        double[] u = new double[out.numel()];
        for (int i = 0; i < u.length; i++) u[i] = rng.normal();
        Tensor upstream = out.backend().upload(HostStorage.of(u), out.shape());
        for (Tensor t : inputs) t.zeroGrad();
        out.backward(upstream);
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            double[] data = ((HostStorage) x.storage()).doubles();
            double[] numeric = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                double keep = data[i];
                data[i] = keep + H;
                double plus = dot(u, Grad.noGrad(() -> f.apply(List.of(inputs))));
                data[i] = keep - H;
                double minus = dot(u, Grad.noGrad(() -> f.apply(List.of(inputs))));
                data[i] = keep;
                numeric[i] = (plus - minus) / (2 * H);
            }
            double[] analytic = x.grad() == null ? new double[data.length] : x.grad().toDoubleArray();
            Tolerance.GRADCHECK.assertClose(name + " d/d input " + k, x.shape(), numeric, analytic);
        }
    }

    private static double dot(double[] u, Tensor y) {
        double[] v = y.toDoubleArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) s += u[i] * v[i];
        return s;
    }

    /** A random F64 leaf on the reference backend, values in [lo, hi). */
    public static Tensor rand(Backend ref, Rng rng, double lo, double hi, int... shape) {
        double[] a = new double[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rng.uniform();
        return ref.upload(HostStorage.of(a), shape);
    }
}
