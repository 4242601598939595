package org.svdd.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.svdd.tensor.Backends;

/** With the kernels jar on the class path the default backend is "cpu" (when no GPU is used); system properties pick the reference. */
class BackendSelectionTest {
    @AfterEach
    void restore() {
        System.clearProperty("svdd.backend");
        System.clearProperty("svdd.vector");
        System.clearProperty("svdd.cuda");
        Backends.setCurrent(null);
    }

    @Test
    void cpuIsTheDefault() {
        System.clearProperty("svdd.backend");
        System.setProperty("svdd.cuda", "false");
        Backends.setCurrent(null);
        assertInstanceOf(VectorBackend.class, Backends.current());
        assertEquals("cpu", Backends.current().name());
    }

    @Test
    void referenceByProperty() {
        System.setProperty("svdd.backend", "reference");
        Backends.setCurrent(null);
        assertEquals("reference", Backends.current().name());
    }

    @Test
    void cpuByName() {
        assertInstanceOf(VectorBackend.class, Backends.select("cpu"));
    }

    @Test
    void vectorSwitchedOff() {
        System.setProperty("svdd.vector", "false");
        assertEquals("reference", Backends.select(null).name());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cpu"));
        assertEquals(true, e.getMessage().contains("svdd.vector=false"), e.getMessage());
    }
}
