package org.svdd.kernels;

import jdk.incubator.vector.FloatVector;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;

/**
 * Registers {@link VectorBackend} as backend {@code cpu} (priority 10, above the scalar reference). It is unavailable
 * when the {@code jdk.incubator.vector} module is missing (the JVM was started without
 * {@code --add-modules jdk.incubator.vector}) or when {@code -Dsvdd.vector=false} asks for the scalar reference.
 */
public final class VectorBackendProvider implements Backends.Provider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public String unavailableReason() {
        if ("false".equalsIgnoreCase(System.getProperty("svdd.vector"))) return "disabled by -Dsvdd.vector=false";
        try {
            return FloatVector.SPECIES_PREFERRED.length() > 0 ? null : "no float vector species";
        } catch (Throwable t) {
            return "the jdk.incubator.vector module is missing (start the JVM with --add-modules jdk.incubator.vector): " + t;
        }
    }

    @Override
    public Backend create() {
        return new VectorBackend();
    }
}
