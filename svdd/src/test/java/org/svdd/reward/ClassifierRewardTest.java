package org.svdd.reward;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.tensor.DType;
import org.svdd.tensor.GradCheck;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** r(x) = log p(c | x): score agrees with forward, the probabilities sum to one, and the input gradient is right. */
class ClassifierRewardTest {
    private static final ImageClassifier.Config TINY = new ImageClassifier.Config(1, 8, new int[]{4, 8}, 1, 16, 3, 2);

    @Test
    void scoreIsForwardWithoutGraphAndClassesSumToOne() {
        ImageClassifier net = new ImageClassifier(TINY, Init.of(new Rng(1)));
        Tensor x = new Rng(2).uniform(-1, 1, 6, 1, 8, 8);
        double[] total = new double[6];
        for (int c = 0; c < 3; c++) {
            ClassifierReward r = new ClassifierReward(net, c);
            Tensor f = r.forward(x);
            assertArrayEquals(new int[]{6}, f.shape());
            double[] s = r.score(x);
            assertArrayEquals(f.toDoubleArray(), s);
            for (int i = 0; i < 6; i++) {
                assertTrue(s[i] < 0, "log-probability " + s[i]);
                total[i] += Math.exp(s[i]);
            }
        }
        for (double t : total) assertEquals(1.0, t, 1e-5);
        Tensor xg = x.detach().requiresGrad(true);
        new ClassifierReward(net, 1).forward(xg).sum().backward();
        assertEquals(6 * 64, xg.grad().numel());
        for (Tensor p : net.parameters()) assertNull(p.grad(), "the reward's classifier is frozen");
        assertThrows(IllegalArgumentException.class, () -> new ClassifierReward(net, 3));
    }

    @Test
    void inputGradientMatchesFiniteDifferences() {
        ReferenceBackend ref = new ReferenceBackend();
        ImageClassifier net = new ImageClassifier(TINY, new Init(ref, DType.F64, new Rng(3)));
        ClassifierReward r = new ClassifierReward(net, 2);
        Tensor x = GradCheck.rand(ref, new Rng(4), -1, 1, 2, 1, 8, 8);
        GradCheck.check("classifier reward", in -> r.forward(in.get(0)), x);
    }
}
