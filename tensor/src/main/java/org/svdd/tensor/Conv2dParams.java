package org.svdd.tensor;

/**
 * Geometry of a 2-D convolution (cross-correlation, as in PyTorch).
 * Input x is (N, C, H, W), weight w is (O, C/groups, KH, KW), output is (N, O, OH, OW) with
 * OH = (H + 2 padH - dilH (KH - 1) - 1) / strideH + 1.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilH, int dilW, int groups) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv stride must be >= 1, got " + strideH + "x" + strideW);
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("conv padding must be >= 0, got " + padH + "x" + padW);
        if (dilH < 1 || dilW < 1) throw new IllegalArgumentException("conv dilation must be >= 1, got " + dilH + "x" + dilW);
        if (groups < 1) throw new IllegalArgumentException("conv groups must be >= 1, got " + groups);
    }

    public static Conv2dParams of(int stride, int padding) {
        return new Conv2dParams(stride, stride, padding, padding, 1, 1, 1);
    }

    public Conv2dParams withGroups(int g) {
        return new Conv2dParams(strideH, strideW, padH, padW, dilH, dilW, g);
    }

    public int outH(int h, int kh) {
        return (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
    }

    public int outW(int w, int kw) {
        return (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
    }
}
