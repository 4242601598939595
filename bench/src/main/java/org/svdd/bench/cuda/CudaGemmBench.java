package org.svdd.bench.cuda;

import java.util.Arrays;
import java.util.function.Supplier;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import org.svdd.kernels.Parallel;
import org.svdd.kernels.VectorBackend;
import org.svdd.kernels.cuda.CudaBackend;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Conv2dParams;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;

/**
 * GPU timings, each result validated before it is timed:
 * <ol>
 *   <li>square SGEMM, n = 1024 ... 8192: our {@code sgemm_tiled} through {@link CudaBackend#matmul} against cuBLAS
 *       SGEMM (FP32, no TF32) on the same device buffers; median of timed runs, each closed by cuCtxSynchronize;</li>
 *   <li>F.conv2d forward, x (64, 32, 32, 32), w (64, 32, 3, 3), padding 1, and F.attention forward, q, k, v
 *       (32, 4, 200, 64), on cuda against the cpu backend in the same process.</li>
 * </ol>
 * The last line is {@code ratio <ours/cublas>} at n = 4096 ({@code ratio n/a} when cuBLAS cannot be loaded).
 *
 * <p>Usage: {@code CudaGemmBench [maxN]} (default 8192).
 */
public final class CudaGemmBench {
    private static final int[] SIZES = {1024, 2048, 4096, 8192};

    private CudaGemmBench() {
    }

    public static void main(String[] args) {
        int maxN = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        CudaBackend cuda = new CudaBackend();
        System.out.println("device: " + cuda.context().deviceName());
        Cublas cublas = Cublas.open();
        if (cublas.failure != null) System.out.println("cuBLAS unavailable: " + cublas.failure);

        System.out.printf("%6s %12s %12s %12s %12s %8s %12s%n", "n", "ours ms", "ours TF/s", "cublas ms", "cublas TF/s", "ratio", "max|diff|");
        System.out.println("(max|diff|: ours against cuBLAS, or against the cpu backend up to n = 2048 when cuBLAS is unavailable)");
        double ratio4096 = Double.NaN;
        Rng rng = new Rng(0);
        Backend cpu = new VectorBackend();
        for (int n : SIZES) {
            if (n > maxN) continue;
            Tensor a = rng.uniform(cuda, -1, 1, 1, n, n), b = rng.uniform(cuda, -1, 1, 1, n, n);
            int runs = n >= 8192 ? 5 : 10;
            double flop = 2.0 * n * n * n;
            double ours = medianMs(cuda, 2, runs, () -> cuda.matmul(a, b));
            double theirs = Double.NaN, diff = Double.NaN;
            if (cublas.failure == null) {
                Tensor c = cuda.zeros(org.svdd.tensor.DType.F32, 1, n, n);
                theirs = medianMs(cuda, 2, runs, () -> {
                    cublas.sgemm(n, a, b, c);
                    return c;
                });
                diff = maxAbsDiff(cuda.matmul(a, b), c);
            } else if (n <= 2048) {
                diff = maxAbsDiff(cuda.matmul(a, b), cpu.matmul(a.to(cpu), b.to(cpu)));
            }
            double ratio = ours > 0 ? theirs / ours : Double.NaN;
            if (n == 4096) ratio4096 = ratio;
            System.out.printf("%6d %12.3f %12.2f %12.3f %12.2f %8.3f %12.3g%n", n, ours, flop / ours / 1e9, theirs, flop / theirs / 1e9, ratio, diff);
        }

        System.out.println("cpu backend threads: " + Parallel.threads());
        Conv2dParams p = Conv2dParams.of(1, 1);
        compare("F.conv2d (64,32,32,32) * (64,32,3,3) pad 1", cuda, cpu, 2.0 * 64 * 64 * 32 * 9 * 32 * 32,
                be -> {
                    Rng r = new Rng(1);
                    Tensor x = r.randn(be, 64, 32, 32, 32), w = r.randn(be, 64, 32, 3, 3);
                    return () -> F.conv2d(x, w, null, p);
                });
        compare("F.attention q,k,v (32,4,200,64)", cuda, cpu, 4.0 * 32 * 4 * 200 * 200 * 64,
                be -> {
                    Rng r = new Rng(2);
                    Tensor q = r.randn(be, 32, 4, 200, 64), k = r.randn(be, 32, 4, 200, 64), v = r.randn(be, 32, 4, 200, 64);
                    return () -> F.attention(q, k, v, null, 0.125);
                });
        System.out.printf("ratio %.3f%n", ratio4096);
    }

    /** The same workload built on both backends from the same seed: times each, checks they agree, prints the speedup. */
    private static void compare(String name, CudaBackend cuda, Backend cpu, double flop,
                                java.util.function.Function<Backend, Supplier<Tensor>> workload) {
        Supplier<Tensor> onGpu = workload.apply(cuda), onCpu = workload.apply(cpu);
        double gpuMs = medianMs(cuda, 3, 20, () -> Grad.noGrad(onGpu));
        double cpuMs = medianMs(null, 2, 5, () -> Grad.noGrad(onCpu));
        Tensor ref = Grad.noGrad(onCpu);
        double diff = maxAbsDiff(Grad.noGrad(onGpu), ref), scale = maxAbsDiff(ref, ref.mul(0));
        System.out.printf("%s: cuda %.3f ms (%.2f TFLOP/s), cpu %.2f ms, speedup %.1fx, max|cuda-cpu| %.3g of max|y| %.3g%n",
                name, gpuMs, flop / gpuMs / 1e9, cpuMs, cpuMs / gpuMs, diff, scale);
    }

    private static double maxAbsDiff(Tensor x, Tensor y) {
        float[] a = x.toFloatArray(), b = y.toFloatArray();
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    /** Median wall time of runs calls after warm-up ones; with a GPU backend every call is closed by a device synchronise. */
    private static double medianMs(CudaBackend sync, int warmup, int runs, Supplier<Tensor> op) {
        for (int i = 0; i < warmup; i++) op.get();
        if (sync != null) sync.synchronize();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            op.get();
            if (sync != null) sync.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    /** cuBLAS through JCublas2, on the backend's device buffers; failure says why it could not be loaded. */
    private static final class Cublas {
        private final cublasHandle handle;
        private final String failure;

        private Cublas(cublasHandle handle, String failure) {
            this.handle = handle;
            this.failure = failure;
        }

        static Cublas open() {
            try {
                JCublas2.setExceptionsEnabled(true);
                cublasHandle h = new cublasHandle();
                JCublas2.cublasCreate(h);
                return new Cublas(h, null);
            } catch (Throwable t) {
                String msg = String.valueOf(t.getMessage());
                String cause = msg.lines().filter(l -> l.contains("cannot open") || l.contains("not found")).findFirst().orElse(msg.lines().findFirst().orElse(""));
                return new Cublas(null, t.getClass().getSimpleName() + ": " + cause.trim());
            }
        }

        /** c (1, n, n) = a b, row-major: cuBLAS is column-major, so it computes c^T = b^T a^T with the operands swapped. */
        void sgemm(int n, Tensor a, Tensor b, Tensor c) {
            JCublas2.cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, Pointer.to(new float[]{1f}),
                    CudaBackend.devicePointer(b), n, CudaBackend.devicePointer(a), n, Pointer.to(new float[]{0f}), CudaBackend.devicePointer(c), n);
        }
    }
}
