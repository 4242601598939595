package org.svdd.reward;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Whether the processes a reward program started are still there. */
final class Processes {
    private Processes() {
    }

    /** Waits up to 2 s for a process to be gone; a zombie (dead, not yet reaped by its new parent) counts as gone. */
    static void assertGone(long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (running(pid) && System.nanoTime() < deadline) Thread.sleep(20);
        assertFalse(running(pid), "process " + pid + " is still running");
    }

    static boolean running(long pid) throws Exception {
        Process ps = new ProcessBuilder("ps", "-o", "stat=", "-p", Long.toString(pid)).start();
        String state = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        ps.waitFor();
        return !state.isEmpty() && !state.startsWith("Z");
    }
}
