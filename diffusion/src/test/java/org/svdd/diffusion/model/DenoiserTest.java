package org.svdd.diffusion.model;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.process.BetaSchedule;
import org.svdd.diffusion.process.GaussianProcess;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.optim.AdamW;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, gradient flow to every parameter, a few optimisation steps that lower the loss, and config round trips. */
class DenoiserTest {
    private static final UNet2D.Config TINY_UNET = new UNet2D.Config(1, 8, 8, new int[]{1, 2}, 1, new int[]{4}, 4, 2);

    @Test
    void unetShapesGradientsAndLearning() {
        UNet2D net = new UNet2D(TINY_UNET, Init.of(new Rng(1)));
        Rng rng = new Rng(2);
        Tensor x0 = rng.uniform(-1, 1, 6, 1, 8, 8).mul(0.1).add(0.5);                // an easy, nearly constant data set
        Tensor eps = net.predictEps(x0, Tensor.of(new float[]{0, 10, 20, 30, 40, 49}, 6));
        assertArrayEquals(new int[]{6, 1, 8, 8}, eps.shape());
        GaussianProcess p = new GaussianProcess(BetaSchedule.linear(50, 1e-4, 0.02));
        Tensor loss = p.loss(net, x0, rng);
        loss.backward();
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) assertTrue(e.getValue().grad() != null, "no gradient reached " + e.getKey());
        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(2e-3));
        double first = 0, last = 0;
        for (int step = 0; step < 30; step++) {
            net.zeroGrad();
            Tensor l = p.loss(net, x0, new Rng(100 + step % 3));
            l.backward();
            opt.update();
            if (step < 3) first += l.item();
            if (step >= 27) last += l.item();
        }
        assertTrue(last < first, "loss fell from " + first / 3 + " to " + last / 3);
        assertThrows(IllegalArgumentException.class, () -> net.predictEps(Tensor.zeros(1, 1, 9, 9), Tensor.zeros(1)));
    }

    @Test
    void deepeningAUnetKeepsItsFunctionAndTrainsTheNewBlocks() {
        Rng rng = new Rng(5);
        Tensor x = rng.randn(3, 1, 8, 8), t = Tensor.of(new float[]{3, 25, 48}, 3);
        for (int from : new int[]{1, 2}) {
            UNet2D.Config c = new UNet2D.Config(1, 8, 8, new int[]{1, 2, 2}, from, new int[]{4, 2}, 4, 2);
            UNet2D net = new UNet2D(c, Init.of(new Rng(6)));
            UNet2D deeper = UNet2D.deepen(net, from + 2, Init.of(new Rng(7)));
            assertEquals(from + 2, deeper.config().resBlocks());
            assertTrue(deeper.numParameters() > net.numParameters());
            float[] want = net.predictEps(x, t).toFloatArray(), got = deeper.predictEps(x, t).toFloatArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "eps[" + i + "] from " + from + " block(s)");
            GaussianProcess p = new GaussianProcess(BetaSchedule.linear(50, 1e-4, 0.02));
            p.loss(deeper, x.tanh(), rng).backward();
            for (String inserted : new String[]{"down.0.res." + from + ".conv2.weight", "up.1.res.1.conv2.weight", "up.2.res.2.skip.weight", "up.2.attn." + from + ".attn.out.weight"}) {
                Tensor g = deeper.namedParameters().get(inserted).grad();
                assertTrue(g != null && g.abs().sum().item() > 0, "no gradient reached the inserted " + inserted);
            }
        }
        UNet2D two = new UNet2D(new UNet2D.Config(1, 8, 8, new int[]{1, 2}, 2, new int[]{4}, 4, 2), Init.of(new Rng(8)));
        assertThrows(IllegalArgumentException.class, () -> UNet2D.deepen(two, 1, Init.of(new Rng(9))));
    }

    @Test
    void transformerShapesGradientsAndLearning() {
        SequenceTransformer.Config cfg = new SequenceTransformer.Config(4, 12, 32, 2, 2, 2, 3);
        SequenceTransformer net = new SequenceTransformer(cfg, Init.of(new Rng(3)));
        MaskedProcess p = new MaskedProcess(4, MaskSchedule.logLinear());
        long[] ids = new long[8 * 12];
        for (int i = 0; i < ids.length; i++) ids[i] = (i % 12) % 4;                       // every row is 0123 0123 0123
        Tensor x0 = Tensor.ofLongs(ids, 8, 12);
        assertArrayEquals(new int[]{8, 12, 4}, net.logits(x0, Tensor.full(0.5, 8)).shape());
        Tensor loss = p.loss(net, x0, new Rng(4));
        loss.backward();
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) assertTrue(e.getValue().grad() != null, "no gradient reached " + e.getKey());
        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(3e-3));
        double first = 0, last = 0;
        for (int step = 0; step < 40; step++) {
            net.zeroGrad();
            Tensor l = p.loss(net, x0, new Rng(200 + step));
            l.backward();
            opt.update();
            if (step < 5) first += l.item();
            if (step >= 35) last += l.item();
        }
        assertTrue(last < first * 0.7, "loss fell from " + first / 5 + " to " + last / 5);
    }

    @Test
    void configsRoundTripThroughMetadataAndRejectUnknownKeys() {
        Map<String, String> m = Configs.toMap("unet", UNet2D.Config.small());
        assertEquals("1,2,2", m.get("unet.mults"));
        assertEquals(UNet2D.Config.small(), Configs.fromMap("unet", UNet2D.Config.class, m));
        m.put("unet.dropout", "0.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Configs.fromMap("unet", UNet2D.Config.class, m));
        assertTrue(e.getMessage().contains("unet.dropout"), e.getMessage());
        Map<String, String> t = Configs.toMap("transformer", SequenceTransformer.Config.small(4, 128));
        t.put("transformer.dim", "abc");
        e = assertThrows(IllegalArgumentException.class, () -> Configs.fromMap("transformer", SequenceTransformer.Config.class, t));
        assertTrue(e.getMessage().contains("transformer.dim"), e.getMessage());
        // a checkpoint written before convKernel existed: the field takes its DEFAULTS value; other missing keys fail
        Map<String, String> old = Configs.toMap("transformer", SequenceTransformer.Config.small(4, 128));
        old.remove("transformer.convKernel");
        assertEquals(0, Configs.fromMap("transformer", SequenceTransformer.Config.class, old).convKernel());
        old.remove("transformer.heads");
        e = assertThrows(IllegalArgumentException.class, () -> Configs.fromMap("transformer", SequenceTransformer.Config.class, old));
        assertTrue(e.getMessage().contains("transformer.heads"), e.getMessage());
    }
}
