package org.svdd.kernels.cuda;

import java.util.Arrays;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backend;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.Tolerance;

/** Both rungs of the GEMM ladder (sgemm_naive, sgemm_tiled) against the reference, on tile tails and odd strides. */
@Tag("gpu")
class CudaGemmLadderTest {
    private static CudaBackend cuda;

    @BeforeEach
    void requireDevice() {
        String reason = CudaProbe.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        if (cuda == null) cuda = new CudaBackend();
    }

    @Test
    void naiveAndTiledAgreeWithTheReference() {
        Backend ref = new ReferenceBackend();
        int[][] bmkn = {{1, 129, 130, 131}, {3, 128, 8, 256}, {2, 1, 300, 1}, {1, 257, 33, 5}};
        Rng rng = new Rng(21);
        for (int[] d : bmkn) {
            int nb = d[0], m = d[1], k = d[2], n = d[3];
            Tensor a = rng.uniform(ref, -1, 1, nb, k, m).transpose(1, 2), b = rng.uniform(ref, -1, 1, nb, k, n + 4).slice(2, 2, 2 + n);
            Tensor expected = ref.matmul(a, b);
            Tensor ga = a.to(cuda), gb = b.to(cuda);
            Tolerance tol = Tolerance.F32.scaled(Math.sqrt(k));
            tol.assertClose("sgemm_tiled " + Arrays.toString(d), expected, cuda.matmul(ga.transpose(1, 2).contiguous().transpose(1, 2), gb));
            tol.assertClose("sgemm_naive " + Arrays.toString(d), expected, cuda.matmulNaive(ga, gb));
        }
    }
}
