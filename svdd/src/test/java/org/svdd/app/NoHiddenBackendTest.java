package org.svdd.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Library code takes its backend from its inputs, its model or a parameter, never from the process-wide default:
 * only entry points (this CLI, the benchmarks) and the registry read {@code Backends.current()}, and the conveniences
 * that read it for tests and scripts ({@code Tensor.of}, {@code Init.of}, ...) are not called by library code.
 */
class NoHiddenBackendTest {
    private static final Path ROOT = Path.of("..");
    /** The global-default conveniences and the registry itself. */
    private static final Pattern GLOBAL = Pattern.compile(
            "Backends\\.current\\(|\\bTensor\\.(of|ofInts|ofLongs|zeros|ones|arange)\\(|\\bTensor\\.full\\((?![^,]*backend)|\\bInit\\.of\\(");
    /** Where reading the default is allowed: the registry, the conveniences' definitions, entry points. */
    private static final Set<String> ALLOWED = Set.of(
            "tensor/src/main/java/org/svdd/tensor/Backends.java",
            "tensor/src/main/java/org/svdd/tensor/Tensor.java",
            "tensor/src/main/java/org/svdd/tensor/Rng.java",
            "tensor/src/main/java/org/svdd/tensor/nn/Init.java",
            "tensor/src/main/java/org/svdd/tensor/io/Safetensors.java");
    private static final List<String> ENTRY_POINTS = List.of("svdd/src/main/java/org/svdd/app/", "bench/src/main/java/");

    @Test
    void libraryCodeDoesNotReadTheDefaultBackend() {
        List<Path> files = Stream.of("tensor", "kernels", "diffusion", "svdd").flatMap(NoHiddenBackendTest::sources).toList();
        assertTrue(files.size() > 100, "scanned only " + files.size() + " sources from " + ROOT.toAbsolutePath());
        List<String> found = files.stream().flatMap(NoHiddenBackendTest::hits).toList();
        assertEquals(List.of(), found, "library code reading Backends.current() (directly or through a convenience)");
    }

    private static Stream<Path> sources(String module) {
        try {
            return Files.walk(ROOT.resolve(module).resolve("src/main/java")).filter(p -> p.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<String> hits(Path file) {
        String rel = ROOT.relativize(file).toString().replace('\\', '/');
        if (ALLOWED.contains(rel) || ENTRY_POINTS.stream().anyMatch(rel::startsWith)) return Stream.empty();
        try {
            List<String> lines = Files.readAllLines(file);
            return IntStream.range(0, lines.size())
                    .filter(i -> GLOBAL.matcher(lines.get(i)).find())
                    .mapToObj(i -> rel + ":" + (i + 1) + ": " + lines.get(i).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
