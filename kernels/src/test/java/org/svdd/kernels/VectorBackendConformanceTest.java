package org.svdd.kernels;

import org.svdd.tensor.Backend;

/** {@link VectorBackend} against the reference, primitive by primitive. */
class VectorBackendConformanceTest extends BackendConformance {
    private static final Backend CPU = new VectorBackend();

    @Override
    protected Backend backend() {
        return CPU;
    }
}
