package org.svdd.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A write that meets a full disk fails loudly, naming the file, and leaves the file it would have replaced as it was.
 * Runs on a real 64 KiB tmpfs, mounted here where the user may mount (root); skipped elsewhere.
 */
class FullDiskTest {
    @TempDir
    Path dir;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString()).redirectErrorStream(true).start();
        mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): " + new String(p.getInputStream().readAllBytes()).strip());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) new ProcessBuilder("umount", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void samplesOnAFullDiskEndOnTheLastCompleteRecord() throws Exception {
        Path out = dir.resolve("samples");
        Object[] r = Cli.run("sample", "--checkpoint", "../models/dna-transformer.safetensors", "-n", "1000", "--batch", "50", "--steps", "1",
                "--out", out.toString());
        assertEquals(Main.FAILED, (int) r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("samples.fasta failed after"), (String) r[1]);
        List<String> lines = Files.readAllLines(out.resolve("samples.fasta"));
        long headers = lines.stream().filter(l -> l.startsWith(">")).count();
        assertTrue(headers > 0 && headers % 50 == 0, "whole batches only: " + headers + " records");
        int bases = lines.stream().filter(l -> !l.startsWith(">")).mapToInt(String::length).sum();
        assertEquals(headers * 128, bases, "every record holds its whole 128-base sequence");
    }

    @Test
    void aFullDiskKeepsTheOldFileAndNamesTheOneBeingWritten() throws Exception {
        Path csv = Files.writeString(dir.resolve("rewards.csv"), "method,sample,reward\npretrained,0,1.0\n");
        String line = "x".repeat(1023) + "\n";
        IOException e = assertThrows(IOException.class, () -> Comparison.atomically(csv, w -> {
            for (int i = 0; i < 200; i++) w.print(line);   // 200 KiB into 64 KiB
        }));
        assertTrue(e.getMessage().contains(csv.toString()), e.getMessage());
        assertEquals("method,sample,reward\npretrained,0,1.0\n", Files.readString(csv));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }
}
