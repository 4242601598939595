package org.svdd.kernels.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the hand-written CUDA kernels under {@code kernels/src/main/cuda}: every {@code .cu} file has committed PTX
 * for each architecture (always checked), and, where {@code nvcc} is on the PATH, every file still compiles and the
 * committed PTX declares the same kernels as a fresh compile (so a kernel added or renamed without running
 * {@code kernels/scripts/compile-ptx.sh} fails here).
 */
class PtxCompileTest {
    /** Keep in sync with kernels/scripts/compile-ptx.sh and CudaContext.ARCHES. */
    private static final List<String> ARCHES = List.of("80", "90");
    private static final List<String> NVCC_FLAGS = List.of("-ptx", "-std=c++17", "-O3");
    private static final String RESOURCES = "src/main/resources/org/svdd/kernels/cuda";
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    /** The kernels module directory: Maven runs tests in it, an IDE may run them from the repository root. */
    private static Path moduleDir() {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path candidate : List.of(cwd, cwd.resolve("kernels"))) {
            if (Files.isDirectory(candidate.resolve("src/main/cuda"))) return candidate;
        }
        return fail("cannot find src/main/cuda from the working directory " + cwd);
    }

    private static List<Path> cudaSources(Path module) throws IOException {
        try (Stream<Path> files = Files.list(module.resolve("src/main/cuda"))) {
            List<Path> cu = files.filter(p -> p.getFileName().toString().endsWith(".cu")).sorted().toList();
            assertFalse(cu.isEmpty(), "no .cu files in " + module.resolve("src/main/cuda"));
            return cu;
        }
    }

    private static String stem(Path cu) {
        String name = cu.getFileName().toString();
        return name.substring(0, name.length() - ".cu".length());
    }

    private static TreeSet<String> entries(String ptx) {
        TreeSet<String> names = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    private static Optional<Path> findNvcc() {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path nvcc = Path.of(dir, "nvcc");
            if (Files.isRegularFile(nvcc) && Files.isExecutable(nvcc)) return Optional.of(nvcc);
        }
        return Optional.empty();
    }

    @Test
    void everyKernelFileHasCommittedPtx() throws IOException {
        Path module = moduleDir();
        List<String> problems = new ArrayList<>();
        for (Path cu : cudaSources(module)) {
            for (String arch : ARCHES) {
                Path ptx = module.resolve(RESOURCES).resolve(stem(cu) + ".sm_" + arch + ".ptx");
                if (!Files.isRegularFile(ptx)) {
                    problems.add(module.relativize(ptx) + " is missing");
                    continue;
                }
                String text = Files.readString(ptx, StandardCharsets.UTF_8);
                if (!text.contains(".target sm_" + arch)) problems.add(module.relativize(ptx) + " does not target sm_" + arch);
                if (entries(text).isEmpty()) problems.add(module.relativize(ptx) + " declares no kernel");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nregenerate with kernels/scripts/compile-ptx.sh");
    }

    @Test
    void everyKernelFileCompilesWithNvcc(@TempDir Path tmp) throws Exception {
        Optional<Path> nvcc = findNvcc();
        if (nvcc.isEmpty()) assumeTrue(false, "nvcc not found: PTX compile check skipped");
        Path module = moduleDir();
        Path src = module.resolve("src/main/cuda");

        record Job(Path cu, String arch, Path out, Path log) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Path cu : cudaSources(module)) {
            for (String arch : ARCHES) {
                String base = stem(cu) + ".sm_" + arch;
                jobs.add(new Job(cu, arch, tmp.resolve(base + ".ptx"), tmp.resolve(base + ".log")));
            }
        }

        int threads = Math.max(1, Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> exits = new ArrayList<>();
            for (Job job : jobs) {
                exits.add(pool.submit(() -> {
                    List<String> cmd = new ArrayList<>();
                    cmd.add(nvcc.get().toString());
                    cmd.addAll(NVCC_FLAGS);
                    cmd.addAll(List.of("-arch=sm_" + job.arch(), "-I", src.toString(), "-o", job.out().toString(),
                            job.cu().toString()));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(job.log().toFile()).start();
                    if (!p.waitFor(10, TimeUnit.MINUTES)) {
                        p.destroyForcibly();
                        return -1;
                    }
                    return p.exitValue();
                }));
            }
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                int exit = exits.get(i).get();
                String log = Files.exists(job.log()) ? Files.readString(job.log(), StandardCharsets.UTF_8) : "";
                String what = job.cu().getFileName() + " (sm_" + job.arch() + ")";
                if (exit != 0) {
                    failures.add("nvcc failed on " + what + " with exit " + exit + (exit == -1 ? " (timed out)" : "") + ":\n" + log);
                    continue;
                }
                if (!log.isBlank()) System.err.println("nvcc output for " + what + ":\n" + log);
                Path committed = module.resolve(RESOURCES).resolve(job.out().getFileName());
                if (!Files.isRegularFile(committed)) continue;  // reported by everyKernelFileHasCommittedPtx
                TreeSet<String> fresh = entries(Files.readString(job.out(), StandardCharsets.UTF_8));
                TreeSet<String> old = entries(Files.readString(committed, StandardCharsets.UTF_8));
                if (!fresh.equals(old)) {
                    failures.add("committed " + committed.getFileName() + " is stale: it declares " + old + " but " + what
                            + " now compiles to " + fresh + "; run kernels/scripts/compile-ptx.sh");
                }
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            pool.shutdownNow();
        }
    }
}
