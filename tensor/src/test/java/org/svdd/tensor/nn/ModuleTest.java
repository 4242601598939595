package org.svdd.tensor.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.svdd.tensor.UseReferenceBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.GradCheck;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module plumbing: dotted names, loadState errors, modes, dropout, moving between backends. */
@ExtendWith(UseReferenceBackend.class)
class ModuleTest {
    private static final Backend REF = new ReferenceBackend();
    private final Rng rng = new Rng(7);


    /** Two blocks of (norm, attention) under "down", to check nested dotted names. */
    static final class Net extends Module {
        final Sequential down;
        final Linear head;

        Net(Init init) {
            down = child("down", new Sequential(new Block(init), new Dropout(0.5, new Rng(1)), new Block(init)));
            head = child("head", new Linear(4, 2, false, init));
        }
    }

    static final class Block extends Module implements Layer {
        final LayerNorm norm;
        final MultiHeadAttention attn;

        Block(Init init) {
            norm = child("norm", new LayerNorm(4, true, init));
            attn = child("attn", new MultiHeadAttention(4, 2, init));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(attn.forward(norm.forward(x)));
        }
    }

    private static Net net(long seed) {
        return new Net(new Init(REF, DType.F64, new Rng(seed)));
    }

    @Test
    void dottedNamesInRegistrationOrder() {
        Net n = net(1);
        List<String> block = List.of("norm.weight", "norm.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.out.weight", "attn.out.bias");
        List<String> expected = new ArrayList<>();
        for (String b : block) expected.add("down.0." + b);
        for (String b : block) expected.add("down.2." + b);
        expected.add("head.weight");
        assertEquals(expected, List.copyOf(n.namedParameters().keySet()));
        long perBlock = 4 + 4 + 12 * 4 + 12 + 16 + 4;
        assertEquals(2 * perBlock + 8, n.numParameters());
        assertTrue(n.parameters().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void loadStateCopiesInPlace() {
        Net a = net(1), b = net(2);
        Tensor before = b.head.weight();
        b.loadState(a.namedParameters());
        assertSame(before, b.head.weight());
        a.namedParameters().forEach((k, t) -> assertArrayEquals(t.toDoubleArray(), b.namedParameters().get(k).toDoubleArray(), k));
    }

    @Test
    void loadStateNamesMissingUnexpectedAndMisShapedTensors() {
        Net a = net(1), b = net(2);
        Map<String, Tensor> missing = new LinkedHashMap<>(a.namedParameters());
        missing.remove("down.2.attn.qkv.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadState(missing));
        assertTrue(e.getMessage().contains("missing [down.2.attn.qkv.bias]"), e.getMessage());

        Map<String, Tensor> extra = new LinkedHashMap<>(a.namedParameters());
        extra.put("head.bias", GradCheck.rand(REF, rng, 0, 1, 2));
        e = assertThrows(IllegalArgumentException.class, () -> b.loadState(extra));
        assertTrue(e.getMessage().contains("unexpected [head.bias]"), e.getMessage());

        Map<String, Tensor> wrong = new LinkedHashMap<>(a.namedParameters());
        wrong.put("down.0.norm.weight", GradCheck.rand(REF, rng, 0, 1, 5));
        double[] untouched = b.head.weight().toDoubleArray();
        e = assertThrows(IllegalArgumentException.class, () -> b.loadState(wrong));
        assertTrue(e.getMessage().contains("'down.0.norm.weight'") && e.getMessage().contains("[4]") && e.getMessage().contains("[5]"), e.getMessage());
        assertArrayEquals(untouched, b.head.weight().toDoubleArray(), "a failed load writes nothing");
    }

    @Test
    void trainAndEvalPropagateAndToggleDropout() {
        Net n = net(3);
        Tensor in = GradCheck.rand(REF, rng, -1, 1, 3, 5, 4);
        assertTrue(n.isTraining());
        Tensor a = n.down.forward(in), b = n.down.forward(in);
        assertFalse(Arrays.equals(a.toDoubleArray(), b.toDoubleArray()), "dropout active in training");
        n.eval();
        assertFalse(n.down.isTraining());
        assertArrayEquals(n.down.forward(in).toDoubleArray(), n.down.forward(in).toDoubleArray(), "eval is deterministic");
        n.train();
        assertTrue(n.head.isTraining());
    }

    @Test
    void dropoutStatistics() {
        Dropout d = new Dropout(0.25, new Rng(3));
        Tensor ones = Tensor.full(REF, DType.F64, 1, 4000);
        double[] y = d.forward(ones).toDoubleArray();
        long zeros = Arrays.stream(y).filter(v -> v == 0).count();
        assertTrue(Math.abs(zeros - 1000) < 4 * Math.sqrt(4000 * 0.25 * 0.75), "about a quarter dropped: " + zeros);
        assertTrue(Arrays.stream(y).allMatch(v -> v == 0 || Math.abs(v - 4.0 / 3) < 1e-12), "kept values scaled by 1/(1-p)");
        assertArrayEquals(d.forward(ones, new Rng(9)).toDoubleArray(), d.forward(ones, new Rng(9)).toDoubleArray(), "per-call source is used");
        d.eval();
        assertArrayEquals(ones.toDoubleArray(), d.forward(ones).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, rng));
    }

    @Test
    void toMovesParametersAndKeepsValues() {
        Net n = net(4);
        Backend other = new ReferenceBackend();
        Map<String, Tensor> before = n.namedParameters();
        assertSame(n, n.to(other));
        n.namedParameters().forEach((k, t) -> {
            assertSame(other, t.backend(), k);
            assertNotSame(before.get(k), t, k);
            assertTrue(t.requiresGrad(), k);
            assertArrayEquals(before.get(k).toDoubleArray(), t.toDoubleArray(), k);
        });
        Tensor y = n.head.forward(GradCheck.rand(REF, rng, -1, 1, 2, 4).to(other));
        assertSame(other, y.backend());
    }

    @Test
    void duplicateNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                Init init = new Init(REF, DType.F64, new Rng(0));
                child("a", new Linear(1, 1, true, init));
                child("a", new Linear(1, 1, true, init));
            }
        });
    }
}
