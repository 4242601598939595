package org.svdd.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void theFileGetsThePermissionsOfAnyNewFile(@TempDir Path dir) throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x"), atomic = dir.resolve("atomic.txt");
        AtomicFiles.write(atomic, tmp -> Files.writeString(tmp, "x"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }
}
