package org.svdd.tensor.optim;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimTest {
    private static final Backend REF = new ReferenceBackend();
    private static Backend saved;

    @BeforeAll
    static void useReference() {
        saved = Backends.current();
        Backends.setCurrent(REF);
    }

    @AfterAll
    static void restore() {
        Backends.setCurrent(saved);
    }

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

    @Test
    void smallMlpLearnsSine() {
        Rng rng = new Rng(2024);
        Init init = new Init(REF, DType.F32, rng);
        Sequential net = new Sequential(new Linear(1, 32, true, init), Sequential.activation(UnaryOp.TANH), new Linear(32, 1, true, init));
        int n = 64;
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (float) (-3 + 6.0 * i / (n - 1));
            ys[i] = (float) Math.sin(xs[i]);
        }
        Tensor x = REF.upload(HostStorage.of(xs), n, 1), y = REF.upload(HostStorage.of(ys), n, 1);
        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(0.02));
        double loss = Double.NaN;
        for (int step = 0; step < 400; step++) {
            net.zeroGrad();
            Tensor l = F.mse(net.forward(x), y);
            l.backward();
            GradClip.clipByGlobalNorm(net.parameters(), 1.0);
            opt.update();
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
        assertEquals(1.0, GradClip.clipByGlobalNorm(List.of(a, b), 2.0), 1e-12);
        assertEquals(0.6, a.grad().item(), 1e-12);
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
    }

    @Test
    void emaAveragesParameters() {
        Linear l = new Linear(1, 1, false, new Init(REF, DType.F64, new Rng(1)));
        double w0 = l.weight.item();
        Ema ema = new Ema(l, 0.9);
        REF.assign(l.weight, REF.upload(HostStorage.of(new double[]{w0 + 1}), 1, 1));
        ema.update(l);
        assertEquals(w0 + 0.1, ema.shadow().get("weight").item(), 1e-12);
        l.loadState(ema.shadow());
        assertEquals(w0 + 0.1, l.weight.item(), 1e-12);
    }
}
