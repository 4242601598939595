package org.svdd.tensor.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a file through a temporary sibling, forced to disk and renamed over the target, so that a reader or a crash
 * never sees half a file: the target holds its old contents or the new ones. The sibling is an ordinary new file
 * (permissions from the umask, like any file the user writes), not a {@code Files.createTempFile}, which would be
 * owner-only and stay so after the rename.
 */
public final class AtomicFiles {
    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFiles() {
    }

    /** Fills the temporary file; it does not exist yet when called. */
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    /**
     * Creates the parent directories, lets writer fill a temporary sibling of file, and renames it over file. Temporary
     * siblings that a killed process left behind (their process is gone) are removed first.
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeStale(dir, file.getFileName().toString());
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + ".tmp");
        try {
            writer.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    /** Deletes the {@code .<name>.<pid>-<n>.tmp} siblings whose process no longer runs. */
    private static void removeStale(Path dir, String name) throws IOException {
        String prefix = "." + name + ".";
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, entry -> {
            String f = entry.getFileName().toString();
            return f.startsWith(prefix) && f.endsWith(".tmp");
        })) {
            for (Path tmp : tmps) {
                String f = tmp.getFileName().toString(), id = f.substring(prefix.length(), f.length() - ".tmp".length());
                int dash = id.indexOf('-');
                if (dash < 1) continue;
                try {
                    if (ProcessHandle.of(Long.parseLong(id.substring(0, dash))).isEmpty()) Files.deleteIfExists(tmp);
                } catch (NumberFormatException notOurs) {
                    // a file of this shape that we did not write: leave it
                }
            }
        }
    }

    /** Makes the rename durable where the platform allows opening a directory; elsewhere a no-op. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (e.g. Windows): the rename itself is still atomic
        }
    }
}
