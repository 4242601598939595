package org.svdd.tensor;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Linear;
import org.svdd.tensor.nn.Sequential;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.Ema;
import org.svdd.tensor.optim.GradClip;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryTest {
    private static final Backend REF = new ReferenceBackend();
    private static final int BIG = Memory.MIN_POOLED;

    private static float[] array(Tensor t) {
        return ((HostStorage) t.storage()).floats();
    }

    /** The pool holds its arrays weakly, so a collection between the two scopes may empty it: three tries. */
    @Test
    void aClosedScopesMemoryServesTheNextScope() {
        boolean reused = false;
        for (int attempt = 0; attempt < 3 && !reused; attempt++) {
            float[] first;
            try (Memory.Scope ignored = Memory.scope()) {
                first = array(REF.zeros(DType.F32, BIG + 7));
            }
            try (Memory.Scope ignored = Memory.scope()) {
                Tensor again = REF.zeros(DType.F32, BIG + 7);
                reused = first == array(again);
                assertEquals(0f, again.sum().item(), "zeros() from the pool are zeros");
            }
        }
        assertTrue(reused);
    }

    @Test
    void smallTensorsAndTensorsOutsideScopesAreNeverPooled() {
        Tensor small, outsideAny;
        try (Memory.Scope ignored = Memory.scope()) {
            small = REF.zeros(DType.F32, BIG - 1);
        }
        outsideAny = REF.zeros(DType.F32, BIG);
        try (Memory.Scope ignored = Memory.scope()) {
            Tensor inner = Memory.outside(() -> REF.zeros(DType.F32, BIG + 11));
            assertEquals(BIG + 11, inner.numel());
            small.add(outsideAny.slice(0, 0, BIG - 1));                    // still alive after their scopes
        }
        assertEquals(0.0, outsideAny.sum().item());
    }

    @Test
    void aTensorUsedAfterItsScopeClosedFailsAndSaysWhy() {
        Tensor dead, view;
        try (Memory.Scope ignored = Memory.scope()) {
            dead = REF.zeros(DType.F32, 2, BIG);
            view = dead.slice(0, 1, 2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dead.add(dead));
        assertTrue(e.getMessage().contains("Memory scope"), e.getMessage());
        assertThrows(IllegalStateException.class, view::toFloatArray);
    }

    @Test
    void keptTensorsOutliveTheirScopeAndPassToTheEnclosingOne() {
        Tensor kept, keptInside;
        try (Memory.Scope outer = Memory.scope()) {
            try (Memory.Scope inner = Memory.scope()) {
                keptInside = inner.keep(Tensor.full(REF, DType.F32, 2.0, BIG));
            }
            assertEquals(2.0 * BIG, keptInside.sum().item());
            kept = outer.keep(keptInside.mul(3.0));
        }
        assertEquals(6.0 * BIG, kept.sum().item());
        assertThrows(IllegalStateException.class, keptInside::toFloatArray, "the outer scope released what the inner kept");
    }

    @Test
    void scopesCloseInnermostFirst() {
        Memory.Scope outer = Memory.scope();
        Memory.Scope inner = Memory.scope();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void forwardKeepsOnlyItsResultUnderNoGradAndEverythingWhileRecording() {
        Tensor[] hidden = new Tensor[1];
        Tensor out = Grad.noGrad(() -> Memory.forward(() -> {
            hidden[0] = Tensor.full(REF, DType.F32, 1.0, BIG);
            return hidden[0].add(hidden[0]);
        }));
        assertEquals(2.0 * BIG, out.sum().item());
        assertThrows(IllegalStateException.class, hidden[0]::toFloatArray);

        Tensor w = Tensor.full(REF, DType.F32, 1.0, BIG).requiresGrad(true);
        Tensor y = Memory.forward(() -> w.mul(w).sum());
        y.backward();
        assertEquals(2.0, w.grad().toFloatArray()[BIG - 1]);
    }

    /**
     * Ten AdamW steps with clipping and an EMA on a small MLP whose activations are pooled: with a scope per step
     * (memory reused, gradients and moments held across steps) the weights are the same bits as without.
     */
    @Test
    void trainingInScopesGivesTheSameBits() {
        Map<String, Tensor> plain = train(false), scoped = train(true);
        assertEquals(plain.keySet(), scoped.keySet());
        plain.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), scoped.get(k).toFloatArray(), k));
    }

    private static Map<String, Tensor> train(boolean scoped) {
        Init init = new Init(REF, DType.F32, new Rng(7));
        Sequential net = new Sequential(new Linear(16, 96, true, init), Sequential.activation(UnaryOp.SILU), new Linear(96, 1, true, init));
        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(1e-2));
        Ema ema = new Ema(net, 0.9);
        Rng data = new Rng(11);
        for (int step = 0; step < 10; step++) {
            float[] x = new float[64 * 16];
            for (int i = 0; i < x.length; i++) x[i] = (float) data.normal();
            Tensor batch = REF.upload(HostStorage.of(x), 64, 16);                     // (64, 16); hidden (64, 96)
            try (Memory.Scope ignored = scoped ? Memory.scope() : null) {
                net.zeroGrad();
                Tensor loss = net.forward(batch).square().mean();
                loss.backward();
                GradClip.clipByGlobalNorm(net.parameters(), 0.5);
                opt.update();
                ema.update(net);
            }
        }
        assertNotNull(net.parameters().get(0).grad().toFloatArray(), "the gradient outlives the step");
        Map<String, Tensor> out = new java.util.LinkedHashMap<>(net.namedParameters());
        ema.shadow().forEach((k, v) -> out.put("ema." + k, v));
        List.of(0, 1).forEach(i -> out.put("m." + i, opt.state().get("m." + i)));
        return out;
    }
}
