package org.svdd.kernels.cuda;

/**
 * Finds out, without ever throwing, whether a CUDA device can be used. JCuda throws {@link UnsatisfiedLinkError} when
 * its natives or {@code libcuda.so.1} are missing and {@link NoClassDefFoundError} on the next try, so every failure
 * is caught as a {@link Throwable} and turned into a one-line reason.
 */
public final class CudaProbe {
    private static volatile String reason;
    private static volatile boolean probed;

    private CudaProbe() {
    }

    /** Null when a device is usable, else why not. Probes the driver once per process; {@code -Dsvdd.cuda=false} is read on every call. */
    public static String unavailableReason() {
        if ("false".equalsIgnoreCase(System.getProperty("svdd.cuda"))) return "disabled by -Dsvdd.cuda=false";
        if (!probed) {
            synchronized (CudaProbe.class) {
                if (!probed) {
                    reason = probe();
                    probed = true;
                }
            }
        }
        return reason;
    }

    private static String probe() {
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            jcuda.driver.JCudaDriver.cuInit(0);
            int[] count = new int[1];
            jcuda.driver.JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) return "the CUDA driver reports no device";
            return null;
        } catch (Throwable t) {
            String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
            return "no usable CUDA driver or device (" + msg.lines().findFirst().orElse(msg) + ")";
        }
    }
}
