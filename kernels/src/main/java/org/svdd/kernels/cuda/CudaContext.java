package org.svdd.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;

/**
 * One device's primary context, its loaded PTX modules and a kernel launcher. PTX ships as resources
 * {@code org/svdd/kernels/cuda/<family>.sm_<arch>.ptx}, compiled by {@code kernels/scripts/compile-ptx.sh}; the newest
 * architecture not above the device's is loaded with {@code cuModuleLoadDataEx} (the driver JITs it).
 */
public final class CudaContext {
    private static final int[] ARCHES = {90, 80};

    private final CUcontext context = new CUcontext();
    private final int computeMajor;
    private final String deviceName;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();

    public CudaContext(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, ordinal);
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        JCudaDriver.cuCtxSetCurrent(context);
        int[] major = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        computeMajor = major[0];
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        deviceName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
    }

    public String deviceName() {
        return deviceName;
    }

    /** Makes this context current on the calling thread (CUDA contexts are per thread). */
    public void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    /** A kernel by PTX family (file stem) and entry name, loading the module on first use. */
    public synchronized CUfunction function(String family, String kernel) {
        String key = family + "/" + kernel;
        CUfunction f = functions.get(key);
        if (f != null) return f;
        CUmodule m = modules.computeIfAbsent(family, this::load);
        f = new CUfunction();
        JCudaDriver.cuModuleGetFunction(f, m, kernel);
        functions.put(key, f);
        return f;
    }

    private CUmodule load(String family) {
        for (int arch : ARCHES) {
            if (arch / 10 > computeMajor) continue;
            String res = "/org/svdd/kernels/cuda/" + family + ".sm_" + arch + ".ptx";
            try (InputStream in = CudaContext.class.getResourceAsStream(res)) {
                if (in == null) continue;
                byte[] ptx = in.readAllBytes();
                byte[] z = new byte[ptx.length + 1];
                System.arraycopy(ptx, 0, z, 0, ptx.length);
                CUmodule m = new CUmodule();
                JCudaDriver.cuModuleLoadDataEx(m, Pointer.to(z), 0, new int[0], Pointer.to(new int[0]));
                return m;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read PTX resource " + res, e);
            }
        }
        throw new IllegalStateException("no PTX for kernel family '" + family + "' fits compute capability " + computeMajor + ".x");
    }

    /**
     * Launches a 1-D or 3-D grid. Arguments are device pointers, Integer, Long, Float, Double or int[] (a by-value struct
     * of ints such as {@code Dims6}), passed in order.
     */
    public void launch(CUfunction f, int[] grid, int[] block, int sharedBytes, Object... args) {
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            ps[i] = switch (a) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[]{v});
                case Long v -> Pointer.to(new long[]{v});
                case Float v -> Pointer.to(new float[]{v});
                case Double v -> Pointer.to(new double[]{v});
                case int[] v -> Pointer.to(v);
                default -> throw new IllegalArgumentException("unsupported kernel argument type " + a.getClass());
            };
        }
        JCudaDriver.cuLaunchKernel(f, grid[0], grid.length > 1 ? grid[1] : 1, grid.length > 2 ? grid[2] : 1,
                block[0], block.length > 1 ? block[1] : 1, block.length > 2 ? block[2] : 1,
                sharedBytes, null, Pointer.to(ps), null);
    }

    /** Raises a kernel's dynamic shared memory limit (needed above 48 KiB). */
    public void allowDynamicShared(CUfunction f, int bytes) {
        JCudaDriver.cuFuncSetAttribute(f, jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
    }

    public void synchronize() {
        JCudaDriver.cuCtxSynchronize();
    }
}
