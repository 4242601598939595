package org.svdd.tensor.optim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.svdd.tensor.UseReferenceBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Sequential;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(UseReferenceBackend.class)
class OptimTest {
    private static final Backend REF = new ReferenceBackend();


    /** Three AdamW steps on loss = sum(c * p) (constant gradient c) against the formulas worked in double. */
    @Test
    void adamWFollowsTheFormulaStepByStep() {
        Tensor p = REF.upload(HostStorage.of(new double[]{1.0, -2.0}), 2).requiresGrad(true);
        double[] c = {0.5, -3.0};
        Tensor cT = REF.upload(HostStorage.of(c), 2);
        AdamW.Config cfg = new AdamW.Config(0.1, 0.9, 0.999, 1e-8, 0.01);
        AdamW opt = new AdamW(List.of(p), cfg);
        Tensor identity = p;
        double[] expected = {1.0, -2.0}, m = new double[2], v = new double[2];
        for (int t = 1; t <= 3; t++) {
            p.zeroGrad();
            p.mul(cT).sum().backward();
            opt.update();
            for (int i = 0; i < 2; i++) {
                m[i] = 0.9 * m[i] + 0.1 * c[i];
                v[i] = 0.999 * v[i] + 0.001 * c[i] * c[i];
                double mh = m[i] / (1 - Math.pow(0.9, t)), vh = v[i] / (1 - Math.pow(0.999, t));
                expected[i] = expected[i] * (1 - 0.1 * 0.01) - 0.1 * mh / (Math.sqrt(vh) + 1e-8);
            }
            assertArrayEquals(expected, p.toDoubleArray(), 1e-12, "step " + t);
        }
        assertSame(identity, p);
        assertEquals(3, opt.step());
    }

    /** A 1-32-1 tanh MLP fits y = sin(x) on 32 points of [-3, 3] to MSE < 0.01 in 200 AdamW steps with clipping and the cosine schedule. */
    @Test
    void smallMlpLearnsSine() {
        Rng rng = new Rng(2024);
        Init init = new Init(REF, DType.F32, rng);
        Sequential net = new Sequential(new Linear(1, 32, true, init), Sequential.activation(UnaryOp.TANH), new Linear(32, 1, true, init));
        int n = 32;
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (-3 + 6.0 * i / (n - 1));
            ys[i] = (float) Math.sin(xs[i]);
        }
        Tensor x = REF.upload(HostStorage.of(xs), n, 1), y = REF.upload(HostStorage.of(ys), n, 1);
        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(0.03));
        CosineSchedule schedule = new CosineSchedule(0.03, 0.003, 10, 200);
        double loss = Double.NaN;
        for (int step = 0; step < 200; step++) {
            net.zeroGrad();
            Tensor l = F.mse(net.forward(x), y);
            l.backward();
            GradClip.clipByGlobalNorm(net.parameters(), 1.0);
            opt.update(schedule.lr(step));
            loss = l.item();
        }
        assertTrue(loss < 0.01, "final MSE " + loss);
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        Tensor a = REF.upload(HostStorage.of(new double[]{3}), 1).requiresGrad(true);
        Tensor b = REF.upload(HostStorage.of(new double[]{4}), 1).requiresGrad(true);
        a.setGrad(REF.upload(HostStorage.of(new double[]{3}), 1));
        b.setGrad(REF.upload(HostStorage.of(new double[]{4}), 1));
        assertEquals(5.0, GradClip.clipByGlobalNorm(List.of(a, b), 1.0), 1e-12);
        assertEquals(0.6, a.grad().item(), 1e-12);
        assertEquals(0.8, b.grad().item(), 1e-12);
        Tensor noGrad = REF.upload(HostStorage.of(new double[]{7}), 1).requiresGrad(true);
        assertEquals(1.0, GradClip.clipByGlobalNorm(List.of(a, noGrad, b), 2.0), 1e-12);
        assertEquals(0.6, a.grad().item(), 1e-12, "below the limit nothing changes");
        assertEquals(null, noGrad.grad());
    }

    @Test
    void cosineScheduleEndpoints() {
        CosineSchedule s = new CosineSchedule(1e-3, 1e-5, 10, 110);
        assertEquals(1e-4, s.lr(0), 1e-15);
        assertEquals(1e-3, s.lr(9), 1e-15);
        assertEquals(1e-3, s.lr(10), 1e-15);
        assertEquals((1e-3 + 1e-5) / 2, s.lr(60), 1e-12);
        assertEquals(1e-5, s.lr(110), 1e-15);
        assertEquals(1e-5, s.lr(10_000), 1e-15);
        assertTrue(s.lr(30) > s.lr(31), "decreasing after warm-up");
        assertEquals(1e-3, new CosineSchedule(1e-3, 0, 0, 100).lr(0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1e-3, 1e-2, 10, 100));
    }

    /** With a zero gradient Adam's step is 0, so only the decoupled decay acts: p_t = p_0 (1 - lr wd)^t. */
    @Test
    void weightDecayIsDecoupledFromTheAdaptiveStep() {
        Tensor p = REF.upload(HostStorage.of(new double[]{2.0, -0.5}), 2).requiresGrad(true);
        AdamW opt = new AdamW(List.of(p), new AdamW.Config(0.1, 0.9, 0.999, 1e-8, 0.5));
        for (int t = 0; t < 3; t++) {
            p.setGrad(REF.zeros(DType.F64, 2));
            opt.update();
        }
        double f = Math.pow(1 - 0.1 * 0.5, 3);
        assertArrayEquals(new double[]{2.0 * f, -0.5 * f}, p.toDoubleArray(), 1e-15);

        Tensor q = REF.upload(HostStorage.of(new double[]{1.0}), 1).requiresGrad(true);
        AdamW skip = new AdamW(List.of(q), AdamW.Config.defaults(0.1));
        skip.update();
        assertEquals(1.0, q.item(), "parameters without a gradient are left alone");
    }

    @Test
    void optimizerStateRoundTripsAndRejectsWrongShapes() {
        Tensor p = REF.upload(HostStorage.of(new double[]{1, 2, 3}), 3).requiresGrad(true);
        AdamW opt = new AdamW(List.of(p), AdamW.Config.defaults(0.1));
        p.setGrad(REF.upload(HostStorage.of(new double[]{1, -1, 2}), 3));
        opt.update();
        AdamW resumed = new AdamW(List.of(p), AdamW.Config.defaults(0.1));
        resumed.loadState(opt.state(), opt.step());
        assertEquals(1, resumed.step());
        assertArrayEquals(opt.state().get("v.0").toDoubleArray(), resumed.state().get("v.0").toDoubleArray());
        Map<String, Tensor> bad = Map.of("m.0", REF.zeros(DType.F64, 2), "v.0", REF.zeros(DType.F64, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resumed.loadState(bad, 1));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    /** shadow_t = d shadow_{t-1} + (1 - d) w_t, starting from the initial weights. */
    @Test
    void emaFollowsTheRecurrence() {
        Linear l = new Linear(2, 1, false, new Init(REF, DType.F64, new Rng(1)));
        double[] w0 = l.weight().toDoubleArray(), shadow = w0.clone();
        Ema ema = new Ema(l, 0.9);
        for (int t = 1; t <= 3; t++) {
            double[] w = {w0[0] + t, w0[1] - 2 * t};
            REF.assign(l.weight(), REF.upload(HostStorage.of(w), 1, 2));
            ema.update(l);
            for (int i = 0; i < 2; i++) shadow[i] = 0.9 * shadow[i] + 0.1 * w[i];
            assertArrayEquals(shadow, ema.shadow().get("weight").toDoubleArray(), 1e-12, "step " + t);
        }
        double[] raw = l.weight().toDoubleArray();
        Tensor identity = l.weight();
        ema.swap(l);
        assertArrayEquals(shadow, l.weight().toDoubleArray(), 1e-12);
        assertArrayEquals(raw, ema.shadow().get("weight").toDoubleArray());
        ema.swap(l);
        assertArrayEquals(raw, l.weight().toDoubleArray());
        assertArrayEquals(shadow, ema.shadow().get("weight").toDoubleArray(), 1e-12);
        ema.copyTo(l);
        assertArrayEquals(shadow, l.weight().toDoubleArray(), 1e-12);
        assertSame(identity, l.weight());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ema.load(Map.of("weight", REF.zeros(DType.F64, 2, 1))));
        assertTrue(e.getMessage().contains("'weight'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ema.update(new Linear(2, 1, true, new Init(REF, DType.F64, new Rng(1)))));
    }
}
