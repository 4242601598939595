package org.svdd.tensor.nn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.GradCheck;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.Tolerance;
import org.svdd.tensor.UnaryOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layers against hand-written compositions, gradient checks of each layer's parameters in F64, and Module plumbing. */
class LayersTest {
    private static final Backend REF = new ReferenceBackend();
    private static Backend saved;
    private final Init f64 = new Init(REF, DType.F64, new Rng(11));
    private final Rng rng = new Rng(5);

    @BeforeAll
    static void useReference() {
        saved = Backends.current();
        Backends.setCurrent(REF);
    }

    @AfterAll
    static void restore() {
        Backends.setCurrent(saved);
    }

    private Tensor x(int... shape) {
        return GradCheck.rand(REF, rng, -1, 1, shape);
    }

    @Test
    void linearMatchesHandComputation() {
        Linear l = new Linear(3, 2, true, f64);
        Tensor in = x(4, 3);
        double[] w = l.weight.toDoubleArray(), b = l.bias.toDoubleArray(), xi = in.toDoubleArray(), y = l.forward(in).toDoubleArray();
        for (int r = 0; r < 4; r++)
            for (int o = 0; o < 2; o++) {
                double acc = b[o];
                for (int i = 0; i < 3; i++) acc += xi[r * 3 + i] * w[o * 3 + i];
                assertEquals(acc, y[r * 2 + o], 1e-12);
            }
        for (double v : w) assertTrue(Math.abs(v) <= 1 / Math.sqrt(3));
        assertThrows(IllegalArgumentException.class, () -> l.forward(x(4, 5)));
    }

    @Test
    void layerGradientsInDouble() {
        Linear lin = new Linear(5, 3, true, f64);
        GradCheck.check("Linear", in -> lin.forward(in.get(0)), x(2, 5), lin.weight, lin.bias);
        Conv2d conv = new Conv2d(4, 6, 3, new org.svdd.tensor.Conv2dParams(2, 1, 1, 1, 1, 1, 2), true, f64);
        GradCheck.check("Conv2d", in -> conv.forward(in.get(0)), x(1, 4, 5, 4), conv.weight, conv.bias);
        Conv1d conv1 = new Conv1d(3, 2, 3, 1, 1, 1, 1, true, f64);
        GradCheck.check("Conv1d", in -> conv1.forward(in.get(0)), x(2, 3, 6), conv1.weight, conv1.bias);
        GroupNorm gn = new GroupNorm(2, 4, f64);
        GradCheck.check("GroupNorm", in -> gn.forward(in.get(0)).mul(in.get(0)), x(2, 4, 3), gn.gamma, gn.beta);
        LayerNorm ln = new LayerNorm(6, true, f64);
        GradCheck.check("LayerNorm", in -> ln.forward(in.get(0)).mul(in.get(0)), x(3, 6), ln.gamma, ln.beta);
        Embedding emb = new Embedding(7, 3, f64);
        Tensor ids = REF.upload(HostStorage.of(new long[]{1, 6, 1, 0}), 2, 2);
        GradCheck.check("Embedding", in -> emb.forward(ids), emb.table);
        MultiHeadAttention mha = new MultiHeadAttention(8, 2, f64);
        Tensor[] ps = mha.parameters().toArray(new Tensor[0]);
        Tensor input = x(2, 5, 8);
        GradCheck.check("MultiHeadAttention", in -> mha.forward(input, null), ps);
        GradCheck.check("MultiHeadAttention input", in -> mha.forward(in.get(0), null), x(1, 3, 8));
    }

    @Test
    void multiHeadAttentionMatchesExplicitSoftmax() {
        MultiHeadAttention mha = new MultiHeadAttention(6, 3, f64);
        Map<String, Tensor> p = mha.namedParameters();
        Tensor in = x(2, 4, 6);
        Tensor mask = REF.upload(HostStorage.of(new double[]{0, 0, Double.NEGATIVE_INFINITY, 0}), 1, 1, 1, 4);
        Tensor y = mha.forward(in, mask);
        Tensor qkv = F.linear(in, p.get("qkv.weight"), p.get("qkv.bias"));                  // (2, 4, 18)
        Tensor[] heads = new Tensor[3];
        for (int h = 0; h < 3; h++) {
            Tensor q = qkv.slice(2, 2 * h, 2 * h + 2), k = qkv.slice(2, 6 + 2 * h, 6 + 2 * h + 2), v = qkv.slice(2, 12 + 2 * h, 12 + 2 * h + 2);
            Tensor s = q.matmul(k.mT()).mul(1 / Math.sqrt(2)).add(mask.reshape(1, 1, 4));
            heads[h] = F.softmax(s, -1).matmul(v);
        }
        Tensor expected = F.linear(F.concat(java.util.List.of(heads), 2), p.get("out.weight"), p.get("out.bias"));
        Tolerance.GRADCHECK.assertClose("mha", expected, y);
    }

    @Test
    void namesLoadStateAndModes() {
        Sequential net = new Sequential(new Linear(2, 3, true, f64), Sequential.activation(UnaryOp.RELU), new Dropout(0.5, new Rng(1)), new Linear(3, 1, false, f64));
        assertEquals(java.util.List.of("0.weight", "0.bias", "3.weight"), java.util.List.copyOf(net.namedParameters().keySet()));
        assertEquals(6 + 3 + 3, net.numParameters());
        Sequential other = new Sequential(new Linear(2, 3, true, new Init(REF, DType.F64, new Rng(99))), Sequential.activation(UnaryOp.RELU),
                new Dropout(0.5, new Rng(1)), new Linear(3, 1, false, new Init(REF, DType.F64, new Rng(98))));
        other.loadState(net.namedParameters());
        assertArrayEquals(net.namedParameters().get("3.weight").toDoubleArray(), other.namedParameters().get("3.weight").toDoubleArray());

        Map<String, Tensor> missing = new java.util.LinkedHashMap<>(net.namedParameters());
        missing.remove("0.bias");
        missing.put("extra", x(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadState(missing));
        assertTrue(e.getMessage().contains("0.bias") && e.getMessage().contains("extra"), e.getMessage());
        Map<String, Tensor> wrong = new java.util.LinkedHashMap<>(net.namedParameters());
        wrong.put("0.weight", x(2, 3));
        e = assertThrows(IllegalArgumentException.class, () -> other.loadState(wrong));
        assertTrue(e.getMessage().contains("'0.weight'") && e.getMessage().contains("[3, 2]"), e.getMessage());

        Tensor in = x(4, 2);
        net.eval();
        assertArrayEquals(net.forward(in).toDoubleArray(), net.forward(in).toDoubleArray(), "eval mode is deterministic");
        net.train();
        Dropout d = new Dropout(0.5, new Rng(3));
        Tensor ones = Tensor.full(REF, DType.F64, 1, 1000);
        double[] dropped = d.forward(ones).toDoubleArray();
        long zeros = java.util.Arrays.stream(dropped).filter(v -> v == 0).count();
        assertTrue(zeros > 400 && zeros < 600, "about half dropped: " + zeros);
        assertTrue(java.util.Arrays.stream(dropped).allMatch(v -> v == 0 || v == 2), "kept values scaled by 1/(1-p)");
        d.eval();
        assertArrayEquals(ones.toDoubleArray(), d.forward(ones).toDoubleArray());
        assertNotEquals(0, net.parameters().size());
    }
}
