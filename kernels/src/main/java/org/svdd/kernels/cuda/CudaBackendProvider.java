package org.svdd.kernels.cuda;

import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;

/**
 * Registers {@link CudaBackend} as backend {@code cuda} (priority 20, above the CPU backend). Availability comes from
 * {@link CudaProbe}, which never throws: on a machine without a GPU or driver the default selection falls back to the
 * CPU with one log line, and {@code -Dsvdd.backend=cuda} fails with the probe's reason.
 */
public final class CudaBackendProvider implements Backends.Provider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 20;
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.unavailableReason();
    }

    @Override
    public Backend create() {
        return new CudaBackend();
    }
}
