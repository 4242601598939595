package org.svdd.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The target holds the old or the new contents, nothing is left behind, and the file gets ordinary permissions. */
class AtomicFilesTest {
    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNothingBehind(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/out.txt");
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, "first"));
        assertEquals("first", Files.readString(file));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, tmp -> {
            Files.writeString(tmp, "half of the sec");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("first", Files.readString(file));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(1, s.count(), "a temporary file was left behind");
        }
    }

    @Test
    void temporaryFilesOfAKilledWriterAreRemovedByTheNextWrite(@TempDir Path dir) throws IOException {
        long gone = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 1_000_000;
        Path stale = Files.writeString(dir.resolve(".model.safetensors." + gone + "-1.tmp"), "half a checkpoint");
        Path running = Files.writeString(dir.resolve(".model.safetensors." + ProcessHandle.current().pid() + "-999999.tmp"), "a save in progress");
        Path other = Files.writeString(dir.resolve(".other.safetensors." + gone + "-1.tmp"), "another file's");
        AtomicFiles.write(dir.resolve("model.safetensors"), tmp -> Files.writeString(tmp, "new"));
        assertFalse(Files.exists(stale), "the dead writer's temporary file is removed");
        assertTrue(Files.exists(running), "a live process's temporary file is kept");
        assertTrue(Files.exists(other), "only the written file's siblings are looked at");
    }

    @Test
    void theFileGetsThePermissionsOfAnyNewFile(@TempDir Path dir) throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x"), atomic = dir.resolve("atomic.txt");
        AtomicFiles.write(atomic, tmp -> Files.writeString(tmp, "x"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }
}
