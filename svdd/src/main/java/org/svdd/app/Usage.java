package org.svdd.app;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the commands share to check their command line before any model loads or any sampling starts: usage errors
 * (exit 2, one line and a pointer to --help; see {@link Main}), output files and folders that are never overwritten
 * without {@code --force}, and default paths that resolve against the installation rather than the current folder.
 */
final class Usage {
    private Usage() {
    }

    /** A bad command line: {@link Main} prints the message on one line, points to --help and exits with 2. */
    static final class Error extends RuntimeException {
        Error(String message) {
            super(message);
        }
    }

    /** Fails with a usage error when the condition does not hold. */
    static void require(boolean condition, String message) {
        if (!condition) throw new Error(message);
    }

    /** parse's value; the IllegalArgumentException it throws for a bad option value becomes a usage error. */
    static <T> T check(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new Error(e.getMessage());
        }
    }

    /** An integer option that must be at least min. */
    static void atLeast(long value, long min, String option) {
        require(value >= min, option + " must be >= " + min + ", got " + value);
    }

    /**
     * Refuses a run whose widest batch cannot fit in the heap, before it starts: rows at once times the model's
     * estimate per row, against the JVM's maximum heap, naming the options to lower.
     */
    static void fitsInMemory(long rows, long bytesPerRow, String options) {
        long heap = Runtime.getRuntime().maxMemory(), need;
        try {
            need = Math.multiplyExact(rows, bytesPerRow);
        } catch (ArithmeticException overflow) {
            need = Long.MAX_VALUE;
        }
        require(rows <= Integer.MAX_VALUE && need <= heap / 10 * 8, String.format(Locale.ROOT,
                "%s puts %,d rows through the model at once, about %s, more than fits in the JVM's heap of %s: lower them, "
                        + "or give the JVM more memory (SVDD_JAVA_OPTS=-Xmx...)", options, rows, bytes(need), bytes(heap)));
    }

    private static String bytes(long b) {
        return b == Long.MAX_VALUE ? "more than 8 EiB" : b >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", b / (double) (1L << 20));
    }

    /** A file the command reads: it must exist and be a regular file. */
    static Path inputFile(Path file, String option) {
        require(Files.exists(file), option + " " + file + ": no such file");
        require(Files.isRegularFile(file), option + " " + file + ": not a regular file");
        return file;
    }

    /**
     * A file the command will write. An existing file is refused unless {@code overwrite} (--force, or --resume where
     * the command continues the file); the folder must be creatable and writable, checked now rather than at the
     * first save.
     */
    static void outputFile(Path file, String option, boolean overwrite) {
        require(!Files.isDirectory(file), option + " " + file + " is a folder; give a file name");
        require(overwrite || !Files.exists(file), option + " " + file + " exists; pass --force to overwrite it");
        writableFolder(file.toAbsolutePath().getParent(), option + " " + file);
    }

    /**
     * An output folder, checked before any work starts and without creating anything: not a file, and, unless
     * {@code force}, not holding files already (a rerun into an old folder would mix two runs' outputs).
     * {@link #claimOutputFolder} then takes it.
     */
    static void outputFolder(Path dir, String option, boolean force) {
        require(!Files.isRegularFile(dir), option + " " + dir + " is a file, not a folder");
        if (Files.isDirectory(dir) && !force) {
            try (Stream<Path> entries = Files.list(dir)) {
                require(entries.allMatch(e -> e.getFileName().toString().equals(LOCK)),
                        option + " " + dir + " is not empty; pass --force to write into it, or choose another folder");
            } catch (IOException e) {
                throw new Error(option + " " + dir + ": cannot list it (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * Takes an output folder checked by {@link #outputFolder}: creates it and locks it for this run, so that a second
     * run into it is refused instead of mixing its files with this one's. With {@code force}, the files and folders
     * named in {@code owned} (what this command writes) are deleted first, so that no stale output of an earlier run
     * (say, samples of a method not run this time) survives beside the new ones; other files are left alone.
     */
    static void claimOutputFolder(Path dir, String option, boolean force, List<String> owned) {
        outputFolder(dir, option, force);
        writableFolder(dir, option + " " + dir);
        lock(dir, option);
        if (force) {
            for (String name : owned) {
                try {
                    deleteRecursively(dir.resolve(name));
                } catch (IOException e) {
                    throw new UncheckedIOException("--force: cannot remove the earlier " + dir.resolve(name) + " (" + e.getMessage() + ")", e);
                }
            }
        }
    }

    /** The lock file of an output folder; it stays behind after a run, empty, and is ignored when a folder is checked. */
    static final String LOCK = ".svdd-lock";
    private static final List<FileChannel> HELD = new ArrayList<>();

    private static synchronized void lock(Path dir, String option) {
        try {
            FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new Error(option + " " + dir + " is in use by another svdd run; wait for it or choose another folder");
            }
            HELD.add(channel);
        } catch (IOException e) {
            throw new Error(option + " " + dir + ": cannot lock it (" + e.getMessage() + ")");
        }
    }

    /** Releases the output-folder locks of the command that has ended ({@link Main} calls it after every command). */
    static synchronized void releaseLocks() {
        for (FileChannel c : HELD) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing releases the lock; a failure leaves it to the process's exit
            }
        }
        HELD.clear();
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> entries = Files.list(p)) {
                for (Path e : entries.toList()) deleteRecursively(e);
            }
        }
        Files.delete(p);
    }

    /** Creates the folder if needed and checks that files can be created in it. */
    private static void writableFolder(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Error(what + ": cannot create the folder " + dir + " (" + e.getMessage() + ")");
        }
        require(Files.isWritable(dir), what + ": the folder " + dir + " is not writable");
    }

    /**
     * The installation folder: the system property {@code svdd.home} (set by svdd.sh), else the source tree these
     * classes were built in ({@code <home>/svdd/target/classes}), else the current folder.
     */
    static Path home() {
        String property = System.getProperty("svdd.home");
        if (property != null && !property.isBlank()) return Path.of(property);
        var source = Usage.class.getProtectionDomain().getCodeSource();
        if (source != null) {
            try {
                Path classes = Path.of(source.getLocation().toURI()), target = classes.getParent(), module = target == null ? null : target.getParent();
                Path root = module == null ? null : module.getParent();
                if (root != null && Files.isDirectory(root.resolve("models"))) return root;
            } catch (URISyntaxException | IllegalArgumentException e) {
                // a code source that is not a plain file path: fall through to the current folder
            }
        }
        return Path.of("");
    }

    /**
     * The command's whole configuration for results files: every option by its longest name with the value it ran
     * with (defaults included, null where unset), after the command's name and the build's version.
     */
    static Map<String, Object> config(CommandLine.Model.CommandSpec spec) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", spec.qualifiedName());
        config.put("version", spec.root().version().length > 0 ? spec.root().version()[0] : null);
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            Object value = o.getValue();
            config.put(o.longestName().replaceFirst("^-+", ""), value instanceof Path p ? p.toString() : value);
        }
        return config;
    }

    /** A path inside the installation, for defaults such as {@code models/dna-oracle.safetensors}. */
    static Path installed(String relative) {
        return home().resolve(relative);
    }
}
