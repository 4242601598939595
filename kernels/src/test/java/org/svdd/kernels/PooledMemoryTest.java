package org.svdd.kernels;

import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.UnaryOp;
import org.svdd.tensor.nn.Conv2d;
import org.svdd.tensor.nn.GroupNorm;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.optim.AdamW;
import org.svdd.tensor.optim.GradClip;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU backend's kernels on pooled memory: arrays that come back from the pool dirty (NaN here, since this module's
 * tests run with {@code svdd.memory.poison}) give the same bits as fresh ones, in training and in sampling passes.
 */
class PooledMemoryTest {
    private static final Backend CPU = new VectorBackend();

    /** Five AdamW steps of conv, GroupNorm + SiLU, conv on (8, 4, 16, 16) images: activations of 16,384 floats, pooled. */
    @Test
    void convTrainingInScopesGivesTheSameBits() {
        List<float[]> plain = train(false), scoped = train(true);
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), scoped.get(i), "tensor " + i);
    }

    @Test
    void repeatedPassesUnderNoGradReuseTheirMemoryAndGiveTheSameBits() {
        Init init = new Init(CPU, DType.F32, new Rng(5));
        Conv2d conv = new Conv2d(4, 16, 3, init), back = new Conv2d(16, 4, 3, init);
        Tensor x = images(new Rng(6));
        float[] first = null;
        long hits = Memory.stats().hits();
        for (int pass = 0; pass < 4; pass++) {
            float[] y = Grad.noGrad(() -> Memory.forward(() -> back.forward(conv.forward(x).silu()))).toFloatArray();
            if (first == null) first = y;
            else assertArrayEquals(first, y);
        }
        assertTrue(Memory.stats().hits() > hits, "later passes took memory from the pool");
    }

    private static Tensor images(Rng rng) {
        float[] px = new float[8 * 4 * 16 * 16];
        for (int i = 0; i < px.length; i++) px[i] = (float) rng.normal();
        return CPU.upload(HostStorage.of(px), 8, 4, 16, 16);
    }

    private static List<float[]> train(boolean scoped) {
        Init init = new Init(CPU, DType.F32, new Rng(7));
        Conv2d in = new Conv2d(4, 16, 3, init), out = new Conv2d(16, 4, 3, init);
        GroupNorm norm = new GroupNorm(4, 16, init);
        List<Tensor> params = new ArrayList<>(in.parameters());
        params.addAll(norm.parameters());
        params.addAll(out.parameters());
        AdamW opt = new AdamW(params, AdamW.Config.defaults(1e-2));
        Rng data = new Rng(11);
        double[] losses = new double[5];
        for (int step = 0; step < losses.length; step++) {
            Tensor x = images(data);
            try (Memory.Scope ignored = scoped ? Memory.scope() : null) {
                params.forEach(Tensor::zeroGrad);
                Tensor y = out.forward(norm.forward(in.forward(x), UnaryOp.SILU));            // (8, 4, 16, 16)
                Tensor loss = F.mse(y, x);
                loss.backward();
                GradClip.clipByGlobalNorm(params, 1.0);
                opt.update();
                losses[step] = loss.item();
            }
        }
        List<float[]> result = new ArrayList<>();
        params.forEach(p -> result.add(p.toFloatArray()));
        params.forEach(p -> result.add(p.grad().toFloatArray()));
        result.add(new float[]{(float) losses[0], (float) losses[4]});
        assertEquals(params.size() * 2 + 1, result.size());
        return result;
    }
}
