package org.svdd.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.svdd.kernels.BackendConformance;
import org.svdd.tensor.Backend;

/**
 * {@link CudaBackend} against the reference, primitive by primitive. Runs only where a CUDA device is usable;
 * elsewhere every test is reported as skipped with the probe's reason.
 */
@Tag("gpu")
class CudaBackendConformanceTest extends BackendConformance {
    private static Backend cuda;

    @Override
    protected Backend backend() {
        String reason = CudaProbe.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device: " + reason);
        if (cuda == null) cuda = new CudaBackend();
        return cuda;
    }
}
