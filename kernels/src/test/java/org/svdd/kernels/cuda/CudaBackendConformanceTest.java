package org.svdd.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.svdd.kernels.BackendConformance;
import org.svdd.tensor.Backend;

/**
 * {@link CudaBackend} against the reference, primitive by primitive. Runs only where a CUDA device is usable;
 * elsewhere the whole class is reported as skipped with the probe's reason.
 */
@Tag("gpu")
class CudaBackendConformanceTest extends BackendConformance {
    private static Backend cuda;

    @BeforeAll
    static void requireDevice() {
        String reason = CudaProbe.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        cuda = new CudaBackend();
    }

    @Override
    protected Backend backend() {
        return cuda;
    }
}
