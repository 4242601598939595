package org.svdd.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

/** Central-difference gradient checks in double for every differentiable op, on odd shapes. */
@ExtendWith(UseReferenceBackend.class)
class GradCheckTest {
    private static final Backend REF = new ReferenceBackend();
    private final Rng rng = new Rng(1234);


    private Tensor rand(int... shape) {
        return GradCheck.rand(REF, rng, -1.5, 1.5, shape);
    }

    private Tensor positive(int... shape) {
        return GradCheck.rand(REF, rng, 0.3, 2.0, shape);
    }

    private Tensor ids(int bound, int... shape) {
        long[] a = new long[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextInt(bound);
        return REF.upload(HostStorage.of(a), shape);
    }

    @Test
    void unaryOps() {
        for (UnaryOp op : UnaryOp.values()) {
            Tensor x = op == UnaryOp.LOG || op == UnaryOp.SQRT ? positive(3, 5) : rand(3, 5);
            GradCheck.check(op.name(), in -> in.get(0).unary(op), x);
        }
    }

    @Test
    void binaryOpsWithBroadcasting() {
        GradCheck.check("add", in -> in.get(0).add(in.get(1)), rand(2, 3, 4), rand(3, 1));
        GradCheck.check("sub", in -> in.get(0).sub(in.get(1)), rand(4), rand(2, 3, 4));
        GradCheck.check("mul", in -> in.get(0).mul(in.get(1)), rand(2, 1, 5), rand(3, 5));
        GradCheck.check("div", in -> in.get(0).div(in.get(1)), rand(3, 4), positive(1, 4));
        GradCheck.check("pow", in -> in.get(0).pow(in.get(1)), positive(3, 2), rand(3, 2));
        GradCheck.check("maximum", in -> in.get(0).maximum(in.get(1)), rand(3, 4), rand(3, 4));
        GradCheck.check("minimum", in -> in.get(0).minimum(in.get(1)), rand(3, 4), rand(4));
        GradCheck.check("scalar ops", in -> in.get(0).mul(3).add(1).div(2).sub(0.5).pow(2.0), positive(5));
        Tensor cond = REF.upload(HostStorage.of(new double[]{1, 0, 0, 1, 1, 0}), 2, 3);
        GradCheck.check("where", in -> Tensor.where(cond, in.get(0), in.get(1)), rand(2, 3), rand(3));
    }

    @Test
    void reductions() {
        GradCheck.check("sum all", in -> in.get(0).sum(), rand(3, 4, 2));
        GradCheck.check("sum axes", in -> in.get(0).sum(new int[]{0, 2}, false), rand(3, 4, 2));
        GradCheck.check("mean keepdim", in -> in.get(0).mean(1, true), rand(3, 5));
        GradCheck.check("variance", in -> in.get(0).variance(new int[]{-1}, false), rand(4, 7));
        GradCheck.check("max", in -> in.get(0).max(1, false), rand(3, 6));
        GradCheck.check("logsumexp", in -> in.get(0).logsumexp(-1, false), rand(3, 6));
    }

    @Test
    void matmulAndViews() {
        GradCheck.check("matmul 2d", in -> in.get(0).matmul(in.get(1)), rand(3, 5), rand(5, 2));
        GradCheck.check("matmul batched broadcast", in -> in.get(0).matmul(in.get(1)), rand(2, 1, 3, 4), rand(3, 4, 5));
        GradCheck.check("matmul folded batch", in -> in.get(0).matmul(in.get(1).mT()), rand(2, 3, 4), rand(5, 4));
        GradCheck.check("linear", in -> F.linear(in.get(0), in.get(1), in.get(2)), rand(2, 3, 4), rand(5, 4), rand(5));
        GradCheck.check("permute+reshape", in -> in.get(0).permute(2, 0, 1).reshape(4, -1).mul(in.get(0).reshape(4, 6)), rand(2, 3, 4));
        GradCheck.check("slice+select", in -> in.get(0).slice(1, 1, 3).mul(in.get(0).select(1, 0).unsqueeze(1)), rand(2, 4, 3));
        GradCheck.check("expand+contiguous", in -> in.get(0).expand(3, 2, 4).contiguous().mul(in.get(1)), rand(2, 1), rand(3, 2, 4));
        GradCheck.check("concat", in -> F.concat(List.of(in.get(0), in.get(1)), 1), rand(2, 3, 2), rand(2, 1, 2));
    }

    @Test
    void convolutions() {
        GradCheck.check("conv2d stride/pad", in -> F.conv2d(in.get(0), in.get(1), in.get(2), Conv2dParams.of(2, 1)), rand(2, 3, 5, 6), rand(4, 3, 3, 3), rand(4));
        GradCheck.check("conv2d bias per image", in -> F.conv2d(in.get(0), in.get(1), in.get(2), Conv2dParams.of(1, 1)), rand(2, 3, 4, 5), rand(4, 3, 3, 3), rand(2, 4));
        GradCheck.check("conv2d dilation+groups", in -> F.conv2d(in.get(0), in.get(1), null, new Conv2dParams(1, 2, 2, 1, 2, 1, 2)), rand(1, 4, 6, 5), rand(6, 2, 2, 3));
        GradCheck.check("conv1d", in -> F.conv1d(in.get(0), in.get(1), in.get(2), 1, 2, 1, 1), rand(2, 3, 7), rand(2, 3, 5), rand(2));
        GradCheck.check("upsample", in -> F.upsampleNearest2d(in.get(0), 2), rand(1, 2, 3, 2));
        GradCheck.check("avgpool", in -> F.avgPool2d(in.get(0), 2), rand(2, 2, 4, 6));
        GradCheck.check("maxpool", in -> F.maxPool2d(in.get(0), 2), rand(1, 2, 4, 4));
    }

    @Test
    void normsAndSoftmax() {
        GradCheck.check("layerNorm", in -> F.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5), rand(3, 7), rand(7), rand(7));
        GradCheck.check("groupNorm", in -> F.groupNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5), rand(2, 4, 3, 3), rand(4), rand(4));
        GradCheck.check("groupNorm then silu", in -> F.groupNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5, UnaryOp.SILU), rand(2, 4, 3, 3), rand(4), rand(4));
        GradCheck.check("softmax last", in -> F.softmax(in.get(0), -1), rand(3, 5));
        GradCheck.check("softmax axis 0", in -> F.softmax(in.get(0), 0), rand(4, 3));
        GradCheck.check("logSoftmax", in -> F.logSoftmax(in.get(0), -1), rand(2, 3, 5));
    }

    @Test
    void attention() {
        Tensor mask = REF.upload(HostStorage.of(new double[]{0, Double.NEGATIVE_INFINITY, 0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY, 0, 0}), 2, 1, 1, 5);
        GradCheck.check("attention", in -> F.attention(in.get(0), in.get(1), in.get(2), null, 0.7), rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 3));
        GradCheck.check("attention masked", in -> F.attention(in.get(0), in.get(1), in.get(2), mask, 0.5), rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 3));
    }

    @Test
    void composedAttentionBackwardAgreesWithTheReference() {
        Tensor q = rand(2, 3, 4), k = rand(2, 5, 4), v = rand(2, 5, 3), g = rand(2, 3, 3);
        double[] m = new double[2 * 3 * 5];
        m[1] = Double.NEGATIVE_INFINITY;                                                 // one blocked key
        for (int j = 0; j < 5; j++) m[(3 + 2) * 5 + j] = Double.NEGATIVE_INFINITY;        // batch 1, row 2: all blocked
        Tensor mask = REF.upload(HostStorage.of(m), 2, 3, 5);
        for (Tensor mk : new Tensor[]{null, mask}) {
            Tensor[] fused = REF.attentionBackward(q, k, v, mk, 0.6, g);
            Tensor[] composed = F.attentionBackwardComposed(q, k, v, mk, 0.6, g);
            for (int i = 0; i < 3; i++)
                org.junit.jupiter.api.Assertions.assertArrayEquals(fused[i].toDoubleArray(), composed[i].toDoubleArray(), 1e-6, "gradient " + i);
        }
        double[] gqBlocked = java.util.Arrays.copyOfRange(REF.attentionBackward(q, k, v, mask, 0.6, g)[0].toDoubleArray(), (3 + 2) * 4, (3 + 3) * 4);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[4], gqBlocked, 0.0, "a row with every key blocked has no gradient");
    }

    @Test
    void oneHotMarksTheIndexedClass() {
        Tensor ids = REF.upload(HostStorage.of(new long[]{2, 0, 3}), 3);
        Tensor oh = F.oneHot(ids, 4);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[]{3, 4}, oh.shape());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, oh.toDoubleArray());
    }

    @Test
    void indexingAndLosses() {
        Tensor ids = ids(5, 2, 3);
        GradCheck.check("embedding", in -> F.embedding(in.get(0), ids), rand(5, 4));
        Tensor idx = ids(6, 3, 4);
        GradCheck.check("gather", in -> F.gather(in.get(0), idx), rand(3, 6));
        Tensor targets = ids(7, 4);
        GradCheck.check("crossEntropy", in -> F.crossEntropy(in.get(0), targets), rand(4, 7));
        GradCheck.check("mse", in -> F.mse(in.get(0), in.get(1)), rand(3, 4), rand(3, 4));
        GradCheck.check("weighted mse", in -> F.mse(in.get(0), in.get(1), in.get(2)), rand(3, 4), rand(3, 4), rand(3, 1));
        GradCheck.check("dropout", in -> F.dropout(in.get(0), 0.3, true, new Rng(7)), rand(4, 5));
        Tensor rows = ids(5, 7);
        GradCheck.check("indexSelect", in -> F.indexSelect(in.get(0), rows), rand(5, 2, 3));
    }
}
