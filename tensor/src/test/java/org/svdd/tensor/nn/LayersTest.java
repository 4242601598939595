package org.svdd.tensor.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.svdd.tensor.UseReferenceBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.DType;
import org.svdd.tensor.F;
import org.svdd.tensor.GradCheck;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.Tolerance;
import org.svdd.tensor.UnaryOp;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each layer against a loop written out in double on small odd shapes, and gradient checks of each layer in F64. */
@ExtendWith(UseReferenceBackend.class)
class LayersTest {
    private static final Backend REF = new ReferenceBackend();
    private final Init f64 = new Init(REF, DType.F64, new Rng(11));
    private final Rng rng = new Rng(5);


    private Tensor x(int... shape) {
        return GradCheck.rand(REF, rng, -1, 1, shape);
    }

    private static Tensor f64(double[] data, int... shape) {
        return REF.upload(HostStorage.of(data), shape);
    }

    @Test
    void linearMatchesLoop() {
        Linear l = new Linear(3, 5, true, f64);
        Tensor in = x(2, 1, 3);
        double[] w = l.weight().toDoubleArray(), b = l.bias().toDoubleArray(), xi = in.toDoubleArray();
        double[] expected = new double[2 * 5];
        for (int r = 0; r < 2; r++)
            for (int o = 0; o < 5; o++) {
                double acc = b[o];
                for (int i = 0; i < 3; i++) acc += xi[r * 3 + i] * w[o * 3 + i];
                expected[r * 5 + o] = acc;
            }
        Tensor y = l.forward(in);
        assertArrayEquals(new int[]{2, 1, 5}, y.shape());
        Tolerance.GRADCHECK.assertClose("linear", y.shape(), expected, y.toDoubleArray());
        for (double v : w) assertTrue(Math.abs(v) <= 1 / Math.sqrt(3), "weight within U(-1/sqrt(in), 1/sqrt(in))");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(x(4, 5)));
        assertTrue(e.getMessage().contains("[4, 5]") && e.getMessage().contains("[5, 3]"), e.getMessage());
        assertEquals(null, new Linear(3, 2, false, f64).bias());
    }

    /** Direct cross-correlation: y[n,o,i,j] = b[o] + sum_{c,u,v} x[n, g*Cg + c, i*s - p + u*d, j*s - p + v*d] w[o,c,u,v]. */
    private static double[] conv2dLoop(double[] x, int[] xs, double[] w, int[] ws, double[] b, Conv2dParams p) {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = p.outH(h, kh), ow = p.outW(wd, kw), og = o / p.groups();
        double[] y = new double[n * o * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int oi = 0; oi < o; oi++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b[oi];
                        for (int c = 0; c < cg; c++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++) {
                                    int r = i * p.strideH() - p.padH() + u * p.dilH(), q = j * p.strideW() - p.padW() + v * p.dilW();
                                    if (r < 0 || r >= h || q < 0 || q >= wd) continue;
                                    int ci = oi / og * cg + c;
                                    acc += x[((ni * cin + ci) * h + r) * wd + q] * w[((oi * cg + c) * kh + u) * kw + v];
                                }
                        y[((ni * o + oi) * oh + i) * ow + j] = acc;
                    }
        return y;
    }

    @Test
    void conv2dMatchesLoopWithStridePaddingDilationGroups() {
        Conv2dParams p = new Conv2dParams(2, 1, 1, 2, 2, 1, 3);
        Conv2d conv = new Conv2d(6, 9, 3, p, true, f64);
        Tensor in = x(2, 6, 7, 5);
        Tensor y = conv.forward(in);
        double[] expected = conv2dLoop(in.toDoubleArray(), in.shape(), conv.weight().toDoubleArray(), conv.weight().shape(), conv.bias().toDoubleArray(), p);
        assertArrayEquals(new int[]{2, 9, p.outH(7, 3), p.outW(5, 3)}, y.shape());
        Tolerance.GRADCHECK.assertClose("conv2d", y.shape(), expected, y.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(x(2, 5, 7, 5)));
        assertTrue(e.getMessage().contains("[2, 5, 7, 5]") && e.getMessage().contains("[9, 2, 3, 3]"), e.getMessage());
    }

    /** forward(x, shift) adds shift[n, o] to every pixel of image n, channel o, on top of the bias. */
    @Test
    void conv2dShiftPerImage() {
        Conv2d conv = new Conv2d(3, 4, 3, f64);
        Tensor in = x(2, 3, 5, 6), shift = x(2, 4);
        Tensor expected = conv.forward(in).add(shift.unsqueeze(2).unsqueeze(3));
        Tolerance.GRADCHECK.assertClose("conv2d shift", expected.shape(), expected.toDoubleArray(), conv.forward(in, shift).toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(in, x(3, 4)));
        assertTrue(e.getMessage().contains("(2, 4)") && e.getMessage().contains("[3, 4]"), e.getMessage());
        GradCheck.check("Conv2d shift", t -> conv.forward(t.get(0), t.get(1)), x(2, 3, 4, 4), x(2, 4), conv.weight(), conv.bias());
    }

    @Test
    void conv1dMatchesLoop() {
        Conv1d conv = new Conv1d(4, 2, 3, 2, 1, 2, 2, false, f64);
        Tensor in = x(3, 4, 9);
        Tensor y = conv.forward(in);
        Conv2dParams p = new Conv2dParams(1, 2, 0, 1, 1, 2, 2);
        double[] expected = conv2dLoop(in.toDoubleArray(), new int[]{3, 4, 1, 9}, conv.weight().toDoubleArray(), new int[]{2, 2, 1, 3}, null, p);
        assertArrayEquals(new int[]{3, 2, p.outW(9, 3)}, y.shape());
        Tolerance.GRADCHECK.assertClose("conv1d", y.shape(), expected, y.toDoubleArray());
    }

    @Test
    void groupNormMatchesLoop() {
        GroupNorm gn = new GroupNorm(3, 6, f64);
        Tensor gamma = x(6), beta = x(6);
        REF.assign(gn.weight(), gamma);
        REF.assign(gn.bias(), beta);
        Tensor in = x(2, 6, 3, 1);
        double[] xi = in.toDoubleArray(), g = gamma.toDoubleArray(), b = beta.toDoubleArray(), expected = new double[xi.length];
        int per = 2 * 3;
        for (int n = 0; n < 2; n++)
            for (int grp = 0; grp < 3; grp++) {
                int base = (n * 6 + grp * 2) * 3;
                double mean = 0, var = 0;
                for (int k = 0; k < per; k++) mean += xi[base + k] / per;
                for (int k = 0; k < per; k++) var += (xi[base + k] - mean) * (xi[base + k] - mean) / per;
                for (int k = 0; k < per; k++) {
                    int c = grp * 2 + k / 3;
                    expected[base + k] = (xi[base + k] - mean) / Math.sqrt(var + 1e-5) * g[c] + b[c];
                }
            }
        Tolerance.GRADCHECK.assertClose("groupNorm", in.shape(), expected, gn.forward(in).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6, f64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gn.forward(x(2, 5, 3)));
        assertTrue(e.getMessage().contains("[2, 5, 3]") && e.getMessage().contains("6"), e.getMessage());
    }

    @Test
    void layerNormMatchesLoop() {
        LayerNorm ln = new LayerNorm(5, true, f64);
        Tensor gamma = x(5), beta = x(5);
        REF.assign(ln.weight(), gamma);
        REF.assign(ln.bias(), beta);
        Tensor in = x(3, 5);
        double[] xi = in.toDoubleArray(), g = gamma.toDoubleArray(), b = beta.toDoubleArray(), expected = new double[15], plain = new double[15];
        for (int r = 0; r < 3; r++) {
            double mean = 0, var = 0;
            for (int k = 0; k < 5; k++) mean += xi[r * 5 + k] / 5;
            for (int k = 0; k < 5; k++) var += Math.pow(xi[r * 5 + k] - mean, 2) / 5;
            for (int k = 0; k < 5; k++) {
                plain[r * 5 + k] = (xi[r * 5 + k] - mean) / Math.sqrt(var + 1e-5);
                expected[r * 5 + k] = plain[r * 5 + k] * g[k] + b[k];
            }
        }
        Tolerance.GRADCHECK.assertClose("layerNorm", in.shape(), expected, ln.forward(in).toDoubleArray());
        LayerNorm bare = new LayerNorm(5, false, f64);
        assertEquals(0, bare.numParameters());
        Tolerance.GRADCHECK.assertClose("layerNorm without affine", in.shape(), plain, bare.forward(in).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> ln.forward(x(5, 3)));
    }

    @Test
    void embeddingPicksRows() {
        Embedding emb = new Embedding(7, 3, f64);
        Tensor ids = REF.upload(HostStorage.of(new long[]{6, 0, 6, 2, 5}), 5, 1);
        Tensor y = emb.forward(ids);
        assertArrayEquals(new int[]{5, 1, 3}, y.shape());
        double[] table = emb.weight().toDoubleArray(), out = y.toDoubleArray();
        long[] id = {6, 0, 6, 2, 5};
        for (int i = 0; i < 5; i++) for (int d = 0; d < 3; d++) assertEquals(table[(int) id[i] * 3 + d], out[i * 3 + d]);
        assertThrows(IllegalArgumentException.class, () -> emb.forward(x(2)));
    }

    @Test
    void multiHeadAttentionMatchesExplicitSoftmax() {
        MultiHeadAttention mha = new MultiHeadAttention(6, 3, f64);
        Tensor in = x(2, 5, 6);
        Tensor mask = f64(new double[]{0, 0, Double.NEGATIVE_INFINITY, 0, 0}, 1, 1, 1, 5);
        Tensor y = mha.forward(in, mask);
        Map<String, Tensor> p = mha.namedParameters();
        Tensor qkv = F.linear(in, p.get("qkv.weight"), p.get("qkv.bias"));                       // (2, 5, 18)
        Tensor[] heads = new Tensor[3];
        for (int h = 0; h < 3; h++) {
            Tensor q = qkv.slice(2, 2 * h, 2 * h + 2), k = qkv.slice(2, 6 + 2 * h, 8 + 2 * h), v = qkv.slice(2, 12 + 2 * h, 14 + 2 * h);
            Tensor s = q.matmul(k.mT()).mul(1 / Math.sqrt(2)).add(mask.reshape(1, 1, 5));      // (2, 5, 5)
            heads[h] = F.softmax(s, -1).matmul(v);                                              // (2, 5, 2)
        }
        Tensor expected = F.linear(F.concat(List.of(heads), 2), p.get("out.weight"), p.get("out.bias"));
        Tolerance.GRADCHECK.assertClose("mha", expected, y);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mha.forward(in, x(1, 3, 5, 4)));
        assertTrue(e.getMessage().contains("[1, 3, 5, 4]") && e.getMessage().contains("[2, 3, 5, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mha.forward(x(2, 5, 4)));
    }


    @Test
    void sequentialComposesInOrder() {
        Linear a = new Linear(3, 4, true, f64), b = new Linear(4, 2, false, f64);
        Sequential net = new Sequential(a, Sequential.activation(UnaryOp.TANH), b);
        Tensor in = x(5, 3);
        Tolerance.GRADCHECK.assertClose("sequential", b.forward(a.forward(in).tanh()), net.forward(in));
    }

    @Test
    void layerGradientsInDouble() {
        Linear lin = new Linear(5, 3, true, f64);
        GradCheck.check("Linear", in -> lin.forward(in.get(0)), x(2, 5), lin.weight(), lin.bias());
        Conv2d conv = new Conv2d(4, 6, 3, new Conv2dParams(2, 1, 1, 1, 1, 2, 2), true, f64);
        GradCheck.check("Conv2d", in -> conv.forward(in.get(0)), x(1, 4, 5, 6), conv.weight(), conv.bias());
        Conv1d conv1 = new Conv1d(3, 2, 3, 1, 1, 1, 1, true, f64);
        GradCheck.check("Conv1d", in -> conv1.forward(in.get(0)), x(2, 3, 6), conv1.weight(), conv1.bias());
        GroupNorm gn = new GroupNorm(2, 4, f64);
        GradCheck.check("GroupNorm", in -> gn.forward(in.get(0)).mul(in.get(0)), x(2, 4, 3), gn.weight(), gn.bias());
        LayerNorm ln = new LayerNorm(6, true, f64);
        GradCheck.check("LayerNorm", in -> ln.forward(in.get(0)).mul(in.get(0)), x(3, 6), ln.weight(), ln.bias());
        Embedding emb = new Embedding(7, 3, f64);
        Tensor ids = REF.upload(HostStorage.of(new long[]{1, 6, 1, 0}), 2, 2);
        GradCheck.check("Embedding", in -> emb.forward(ids), emb.weight());
        MultiHeadAttention mha = new MultiHeadAttention(8, 2, f64);
        Tensor input = x(2, 5, 8), causal = causalMask(5);
        GradCheck.check("MultiHeadAttention params", in -> mha.forward(input, causal), mha.parameters().toArray(new Tensor[0]));
        GradCheck.check("MultiHeadAttention input", in -> mha.forward(in.get(0), null), x(1, 3, 8));
    }

    /** (1, 1, S, S) additive mask, -inf above the diagonal. */
    private static Tensor causalMask(int s) {
        double[] m = new double[s * s];
        for (int i = 0; i < s; i++) for (int j = i + 1; j < s; j++) m[i * s + j] = Double.NEGATIVE_INFINITY;
        return f64(m, 1, 1, s, s);
    }
}
