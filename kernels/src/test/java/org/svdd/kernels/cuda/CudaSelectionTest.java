package org.svdd.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backends;

/** Without a usable GPU the cuda backend is skipped by default and a clear error when asked for by name. */
class CudaSelectionTest {
    @AfterEach
    void restore() {
        System.clearProperty("svdd.cuda");
    }

    @Test
    void cudaIsRegistered() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("cuda")), "no 'cuda' provider registered");
    }

    @Test
    void probeNeverThrowsAndGivesAReasonWhenDisabled() {
        System.setProperty("svdd.cuda", "false");
        assertNotNull(CudaProbe.unavailableReason());
    }

    @Test
    void withoutDeviceNamedSelectionFailsAndDefaultFallsBack() {
        String reason = CudaProbe.unavailableReason();
        Assumptions.assumeTrue(reason != null, "a CUDA device is present; this test covers machines without one");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cuda"));
        assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
        assertNotEquals("cuda", Backends.select(null).name());
    }

    @Test
    void disabledByPropertyFallsBack() {
        System.setProperty("svdd.cuda", "false");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cuda"));
        assertTrue(e.getMessage().contains("svdd.cuda=false"), e.getMessage());
        assertNotEquals("cuda", Backends.select(null).name());
    }
}
