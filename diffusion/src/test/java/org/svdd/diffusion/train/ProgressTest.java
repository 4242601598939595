package org.svdd.diffusion.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress piped to a file is a few plain lines; on a terminal it is one line redrawn with carriage returns. */
class ProgressTest {
    private static String run(boolean terminal, long total, long updates) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress bar = Progress.to(out, terminal, "train", 0, total);
        for (long done = 1; done <= updates; done++) bar.update(done, "loss 0.5");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pipedWritesALineAtTheStartAtEveryTenthAndAtTheEnd() {
        String log = run(false, 100, 100);
        assertFalse(log.contains("\r"), log);
        String[] lines = log.split("\n");
        assertEquals(11, lines.length, log);
        assertTrue(lines[0].startsWith("train 1/100 "), lines[0]);
        assertTrue(lines[1].startsWith("train 10/100 "), lines[1]);
        assertTrue(lines[10].startsWith("train 100/100 [########################]"), lines[10]);
    }

    @Test
    void pipedEndsWithTheLastCountEvenWhenItIsNoTenth() {
        String[] lines = run(false, 15, 15).split("\n");
        assertEquals(9, lines.length);   // 1, 2, 4, ..., 14, then 15
        assertTrue(lines[8].startsWith("train 15/15 "), lines[8]);
    }

    @Test
    void updatesAfterTheEndAreIgnored() {
        String[] lines = run(false, 10, 13).split("\n");
        assertEquals(10, lines.length);
        assertTrue(lines[9].startsWith("train 10/10 "), lines[9]);
    }

    @Test
    void terminalRedrawsInPlaceAndEndsTheLine() {
        String log = run(true, 100, 100);
        assertTrue(log.startsWith("\rtrain 1/100 "), log);
        assertTrue(log.contains("\rtrain 100/100 "), log);
        assertEquals(1, log.split("\n", -1).length - 1, "one newline, at the end: " + log);
        assertTrue(log.endsWith(System.lineSeparator()), log);
    }
}
