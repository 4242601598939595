package org.svdd.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.svdd.diffusion.model.SequenceTransformer;
import org.svdd.diffusion.model.UNet2D;
import org.svdd.diffusion.process.BetaSchedule;
import org.svdd.diffusion.process.GaussianProcess;
import org.svdd.diffusion.process.MaskSchedule;
import org.svdd.diffusion.process.MaskedProcess;
import org.svdd.kernels.Parallel;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Memory;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.nn.Init;
import org.svdd.tensor.nn.Module;
import org.svdd.tensor.optim.AdamW;

/**
 * Whole-model throughput of the two committed diffusion models on the current backend, the peer of
 * {@code torch_models.py}: the Fashion UNet ({@code UNet2D.Config.small()}, 32x32 grey, Gaussian process, cosine
 * schedule, T = 1000) and the DNA transformer ({@code SequenceTransformer.Config.small(4, 128)}, masked process,
 * log-linear schedule), as {@code svdd train} builds them.
 *
 * <ul>
 *   <li>train: one step = zeroGrad, process loss forward (GaussianProcess.loss / MaskedProcess.loss), backward,
 *   AdamW update (lr 2e-3 / 1e-3, PyTorch's defaults otherwise); the batch is fixed (no data loading), the noise,
 *   times and masks are fresh every step. Also the median of each phase.</li>
 *   <li>sample: one denoiser forward on a fixed x_t under no-grad (UNet: eps of Gaussian x_t at random t; transformer:
 *   logits of a half-masked batch at t = 0.5), the cost of one reverse step of the samplers.</li>
 * </ul>
 * Prints {@code java <model> params <n>}, {@code java <model> train <threads> wall <ms> cpu <ms> fwd <ms> bwd <ms> opt <ms>}
 * , {@code java <model> sample <threads> wall <ms> cpu <ms>} and {@code java <model> alloc <threads> train <MB> sample <MB>}:
 * medians, cpu = CPU time of the whole process, alloc = bytes allocated on the heap by all threads per call.
 *
 * <p>Usage: {@code ModelThroughput unet|transformer [threads] [batch] [warmup] [runs]}, defaults 1 thread, batch 64,
 * 3 warm-up and 5 timed calls of each kind. Heap sizing matters: with G1's default sizing the heap shrinks and regrows
 * around every step (twice the page faults), so a step is slower and sampling after training several times slower
 * than with {@code -Xms} = {@code -Xmx}; bench/RESULTS.md has both.
 */
public final class ModelThroughput {
    private ModelThroughput() {
    }

    /**
     * One model with its loss and its sampling forward on fixed inputs.
     *
     * @param denoise the denoiser on a fixed x_t and t, as one reverse step calls it
     */
    private record Subject(Module module, java.util.function.Function<Rng, Tensor> loss, java.util.function.Supplier<Tensor> denoise) {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "unet";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Parallel.setThreads(threads);
        Backend be = Backends.current();
        Init init = Init.of(new Rng(1));
        Rng data = new Rng(2);
        Subject s;
        double lr;
        switch (model) {
            case "unet" -> {
                UNet2D net = new UNet2D(UNet2D.Config.small(), init);
                GaussianProcess process = new GaussianProcess(BetaSchedule.of(BetaSchedule.Kind.COSINE, 1000));
                int size = net.config().imageSize();
                Tensor x0 = data.uniform(be, -1, 1, batch, net.config().channels(), size, size);        // (B, 1, 32, 32)
                Tensor xt = data.randn(be, x0.shape());
                float[] steps = new float[batch];
                for (int i = 0; i < batch; i++) steps[i] = data.nextInt(1000);
                Tensor t = be.upload(HostStorage.of(steps), batch);                                      // (B)
                lr = 2e-3;
                s = new Subject(net, rng -> process.loss(net, x0, rng), () -> net.predictEps(xt, t));
            }
            case "transformer" -> {
                SequenceTransformer net = new SequenceTransformer(SequenceTransformer.Config.small(4, 128), init);
                MaskedProcess process = new MaskedProcess(4, MaskSchedule.logLinear());
                int length = net.config().length();
                long[] ids = new long[batch * length];
                for (int i = 0; i < ids.length; i++) ids[i] = data.nextInt(4);
                Tensor x0 = Tensor.ofLongs(ids, batch, length);                                             // (B, L)
                double[] half = new double[batch];
                Arrays.fill(half, 0.5);
                Tensor xt = process.qSample(x0, half, data);                                              // about half MASK
                float[] tf = new float[batch];
                Arrays.fill(tf, 0.5f);
                Tensor t = be.upload(HostStorage.of(tf), batch);                                         // (B)
                lr = 1e-3;
                s = new Subject(net, rng -> process.loss(net, x0, rng), () -> net.logits(xt, t));
            }
            default -> throw new IllegalArgumentException("model must be unet or transformer, got " + model);
        }
        Module net = s.module();
        System.out.printf("java %s params %d%n", model, net.numParameters());
        System.out.printf("java %s backend %s threads %d batch %d%n", model, be.name(), Parallel.threads(), batch);

        AdamW opt = new AdamW(net.parameters(), AdamW.Config.defaults(lr));
        Rng rng = new Rng(3);
        net.train();
        double[] total = new double[runs], cpu = new double[runs], fwd = new double[runs], bwd = new double[runs], upd = new double[runs];
        double[] trainBytes = new double[runs], sampleBytes = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            long a0 = allocatedBytes(), c0 = cpuNanos(), t0 = System.nanoTime(), t1, t2;
            double l;
            try (Memory.Scope ignored = Memory.scope()) {     // as svdd train runs a step: its memory reused
                net.zeroGrad();
                Tensor loss = s.loss().apply(rng);
                t1 = System.nanoTime();
                loss.backward();
                t2 = System.nanoTime();
                opt.update();
                l = loss.item();
            }
            long t3 = System.nanoTime(), c3 = cpuNanos(), a3 = allocatedBytes();
            if (!Double.isFinite(l)) throw new IllegalStateException("loss became " + l);
            if (i >= 0) {
                trainBytes[i] = a3 - a0;
                total[i] = (t3 - t0) / 1e6;
                cpu[i] = (c3 - c0) / 1e6;
                fwd[i] = (t1 - t0) / 1e6;
                bwd[i] = (t2 - t1) / 1e6;
                upd[i] = (t3 - t2) / 1e6;
            }
        }
        System.out.printf("java %s train %d wall %.3f cpu %.3f fwd %.3f bwd %.3f opt %.3f%n", model, threads, median(total), median(cpu), median(fwd), median(bwd), median(upd));

        net.eval();
        double[] sample = new double[runs], sampleCpu = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            long a0 = allocatedBytes(), c0 = cpuNanos(), t0 = System.nanoTime();
            Tensor out = Grad.noGrad(s.denoise());
            out.reshape(-1).slice(0, 0, 1).item();
            long t1 = System.nanoTime(), c1 = cpuNanos(), a1 = allocatedBytes();
            if (i >= 0) {
                sampleBytes[i] = a1 - a0;
                sample[i] = (t1 - t0) / 1e6;
                sampleCpu[i] = (c1 - c0) / 1e6;
            }
        }
        System.out.printf("java %s sample %d wall %.3f cpu %.3f%n", model, threads, median(sample), median(sampleCpu));
        System.out.printf("java %s alloc %d train %.1f sample %.1f%n", model, threads, median(trainBytes) / 1e6, median(sampleBytes) / 1e6);
    }

    /** Bytes allocated on the heap so far by all threads (a JDK extension of ThreadMXBean). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    /** CPU time of the whole process (every thread: ours, the pool's, GC and JIT), as Python's time.process_time. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] t) {
        double[] a = t.clone();
        Arrays.sort(a);
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }
}
