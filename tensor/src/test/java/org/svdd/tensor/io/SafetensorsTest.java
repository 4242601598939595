package org.svdd.tensor.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.ReferenceBackend;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    private static final Backend REF = new ReferenceBackend();
    private static final Path PYTHON_DIR = Path.of("src/test/python");

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Rng rng = new Rng(3);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", rng.randn(REF, 3, 5));
        m.put("w_t", rng.randn(REF, 4, 3).mT());            // a non-contiguous view
        m.put("d", REF.upload(HostStorage.of(new double[]{1e-300, -2.5}), 2));
        m.put("ids", REF.upload(HostStorage.of(new long[]{-1, 1L << 40, 7}), 3));
        m.put("i32", REF.upload(HostStorage.of(new int[]{5, -6}), 2, 1));
        m.put("scalar", REF.upload(HostStorage.of(new float[]{4.5f})));
        m.put("empty", REF.zeros(DType.F32, 0, 3));
        return m;
    }

    @Test
    void roundTripKeepsEveryDtypeShapeValueAndMetadata() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> in = sample();
        Safetensors.write(f, in, Map.of("config", "{\"width\": 64}", "step", "100"));
        Safetensors.Checkpoint ck = Safetensors.read(f, REF);
        assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(ck.tensors().keySet()));
        for (String name : in.keySet()) {
            Tensor a = in.get(name), b = ck.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), name);
        }
        assertEquals("100", ck.metadata().get("step"));
        assertEquals("{\"width\": 64}", ck.metadata().get("config"));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header is padded to a multiple of 8");
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Safetensors.write(f, Map.of("x", REF.upload(HostStorage.of(new float[]{1, 2}), 2)), Map.of());
        Safetensors.write(f, Map.of("x", REF.upload(HostStorage.of(new float[]{3, 4, 5}), 3)), Map.of());
        assertArrayEquals(new int[]{3}, Safetensors.read(f, REF).tensors().get("x").shape());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void expectNamesTensorAndMismatch() throws IOException {
        Path f = dir.resolve("e.safetensors");
        Safetensors.write(f, Map.of("x", REF.zeros(DType.F32, 2, 3)), Map.of());
        Safetensors.Checkpoint ck = Safetensors.read(f, REF);
        assertArrayEquals(new int[]{2, 3}, ck.expect("x", DType.F32, 2, 3).shape());
        CheckpointException shape = assertThrows(CheckpointException.class, () -> ck.expect("x", DType.F32, 3, 2));
        assertTrue(shape.getMessage().contains("'x'") && shape.getMessage().contains("[2, 3]") && shape.getMessage().contains(f.toString()), shape.getMessage());
        assertTrue(assertThrows(CheckpointException.class, () -> ck.expect("x", DType.I64, 2, 3)).getMessage().contains("dtype F32"));
        assertTrue(assertThrows(CheckpointException.class, () -> ck.expect("y", DType.F32, 2, 3)).getMessage().contains("missing"));
    }

    private Path withHeader(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("bad" + json.hashCode() + "_" + dataBytes + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void assertRefused(Path f, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(f, REF));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
    }

    @Test
    void corruptFilesAreRefusedWithTheFileTensorAndProblem() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        assertRefused(tiny, "only 3 bytes");

        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, sample(), Map.of());
        byte[] all = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 5));
        assertRefused(truncated, "truncated");
        Path headerCut = dir.resolve("headercut.safetensors");
        Files.write(headerCut, java.util.Arrays.copyOf(all, 20));
        assertRefused(headerCut, "header length");

        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", 8), "invalid JSON");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4), "'x'", "BF16", "not supported");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "'x'", "[3]");
        assertRefused(withHeader("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'b'", "overlaps");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 12), "trailing");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8), "'x'", "truncated");
    }

    @Test
    void moreCorruptHeadersAreRefused() throws IOException {
        String x = "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";
        assertRefused(withHeader(x + ", \"__metadata__\": {\"k\": 1}}", 8), "__metadata__", "not a string");
        assertRefused(withHeader(x + ", \"__metadata__\": [\"k\"]}", 8), "__metadata__", "not an object");
        assertRefused(withHeader(x + ", \"x\": {}}", 8), "duplicate key 'x'");
        assertRefused(withHeader("[1, 2]", 0), "not a JSON object");
        assertRefused(withHeader("not json at all!", 0), "invalid JSON");
        assertRefused(withHeader("{\"x\\u00zz\": 1}", 0), "invalid JSON", "bad \\u escape");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8], \"extra\": 1}}", 8), "'x'", "unknown header field 'extra'");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8), "'x'", "bad shape");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 8]}}", 8), "invalid JSON", "integers");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", 8), "'x'", "data_offsets [8, 0]");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8]}}", 8), "'x'", "[begin, end]");
        assertRefused(withHeader("{\"x\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", 8), "'x'", "no dtype");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'x'", "gap");
        assertRefused(withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [100, 108]}}", 8), "'x'", "truncated");

        Path badUtf8 = dir.resolve("utf8.safetensors");
        Files.write(badUtf8, new byte[]{2, 0, 0, 0, 0, 0, 0, 0, '"', (byte) 0xC3});
        assertRefused(badUtf8, "UTF-8");
        Path hugeLength = dir.resolve("huge.safetensors");
        Files.write(hugeLength, new byte[]{-1, -1, -1, -1, -1, -1, -1, -1, '{', '}'});
        assertRefused(hugeLength, "header length 18446744073709551615");
        Path missing = dir.resolve("missing.safetensors");
        assertRefused(missing, "cannot be opened");
    }

    @Test
    void emptyTensorsMaySharePositionsInAnyHeaderOrder() throws IOException {
        Path f = withHeader("{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"e\": {\"dtype\": \"I64\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 8);
        Safetensors.Checkpoint ck = Safetensors.read(f, REF);
        assertEquals(List.of("x", "e"), new ArrayList<>(ck.tensors().keySet()));
        assertEquals(0, ck.expect("e", DType.I64, 0).numel());
    }

    @Test
    void headerListsEntriesWithoutLoadingData() throws IOException {
        Path f = dir.resolve("h.safetensors");
        Safetensors.write(f, sample(), Map.of("step", "3"));
        Safetensors.Header h = Safetensors.readHeader(f);
        assertEquals(List.of("w", "w_t", "d", "ids", "i32", "scalar", "empty"), h.entries().stream().map(Safetensors.Entry::name).toList());
        assertEquals(new Safetensors.Entry("w", DType.F32, new int[]{3, 5}, 0, 60), h.entries().get(0));
        assertEquals(new Safetensors.Entry("w_t", DType.F32, new int[]{3, 4}, 60, 108), h.entries().get(1));
        assertArrayEquals(new int[0], h.entries().get(5).shape());
        assertEquals(Map.of("step", "3"), h.metadata());
        assertEquals(0, h.dataStart() % 8);
        assertEquals(Files.size(f), h.dataStart() + h.entries().get(h.entries().size() - 1).end());
    }

    @Test
    void tensorsLargerThanOneIoChunkRoundTrip() throws IOException {
        int n = 600_001; // > 1 MiB for every dtype, and not a multiple of the chunk
        float[] f = new float[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.5f - 7;
            l[i] = (long) i * 1_000_003L - (1L << 50);
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f", REF.upload(HostStorage.of(f), n));
        in.put("l", REF.upload(HostStorage.of(l), 1, n));
        Path file = dir.resolve("big.safetensors");
        Safetensors.write(file, in, null);
        Safetensors.Checkpoint ck = Safetensors.read(file, REF);
        assertArrayEquals(f, ck.expect("f", DType.F32, n).toHost().floats());
        assertArrayEquals(l, ck.expect("l", DType.I64, 1, n).toHost().longs());
        assertTrue(ck.metadata().isEmpty());
    }

    @Test
    void defaultReadUsesTheCurrentBackend() throws IOException {
        Path f = dir.resolve("cur.safetensors");
        Safetensors.write(f, Map.of("x", REF.upload(HostStorage.of(new int[]{1, 2, 3}), 3)), Map.of());
        Tensor x = Safetensors.read(f).tensors().get("x");
        assertEquals(org.svdd.tensor.Backends.current().name(), x.backend().name());
        assertArrayEquals(new int[]{1, 2, 3}, x.toIntArray());
    }

    @Test
    void failedWritesKeepTheOldFileAndLeaveNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        Safetensors.write(f, Map.of("x", REF.upload(HostStorage.of(new float[]{1, 2}), 2)), Map.of("v", "old"));
        Map<String, Tensor> reserved = Map.of("__metadata__", REF.zeros(DType.F32, 1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, reserved, Map.of("v", "new")));
        assertEquals("old", Safetensors.read(f, REF).metadata().get("v"));

        Path occupied = dir.resolve("occupied");
        Files.createDirectories(occupied.resolve("child"));
        assertThrows(IOException.class, () -> Safetensors.write(occupied, Map.of("x", REF.zeros(DType.F32, 1)), Map.of()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f, occupied), files.sorted().toList(), "no temporary files remain");
        }
        assertArrayEquals(new float[]{1, 2}, Safetensors.read(f, REF).tensors().get("x").toFloatArray());
    }

    @Test
    void checkpointMapsAreReadOnly() throws IOException {
        Path f = dir.resolve("ro.safetensors");
        Safetensors.write(f, Map.of("x", REF.zeros(DType.F32, 1)), Map.of("k", "v"));
        Safetensors.Checkpoint ck = Safetensors.read(f, REF);
        assertThrows(UnsupportedOperationException.class, () -> ck.tensors().remove("x"));
        assertThrows(UnsupportedOperationException.class, () -> ck.metadata().put("a", "b"));
    }

    @Test
    void readsTheFileWrittenByAnIndependentPythonWriter() throws IOException {
        Safetensors.Checkpoint ck = Safetensors.read(Path.of("src/test/resources/io/python_written.safetensors"), REF);
        checkPythonFile(ck);
    }

    /**
     * A file written by the real {@code safetensors} library (0.8.0, {@code safetensors.numpy.save_file}) with
     * {"b": arange(6) F32 (2, 3), "a": [1, -2] I64, "c": zeros (0, 2) F64, "s": 3 I32 0-d}, metadata {"k": "v"}.
     * The library orders the data by alignment then name, and the empty "c" shares its offset with "b".
     */
    @Test
    void readsAFileWrittenByTheSafetensorsLibrary() throws IOException {
        Safetensors.Checkpoint ck = Safetensors.read(Path.of("src/test/resources/io/library_written.safetensors"), REF);
        assertEquals(List.of("a", "c", "b", "s"), new ArrayList<>(ck.tensors().keySet()));
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, ck.expect("b", DType.F32, 2, 3).toFloatArray());
        assertArrayEquals(new long[]{1, -2}, ck.expect("a", DType.I64, 2).toLongArray());
        assertEquals(0, ck.expect("c", DType.F64, 0, 2).numel());
        assertEquals(3, ck.expect("s", DType.I32).item());
        assertEquals(Map.of("k", "v"), ck.metadata());
    }

    private static void checkPythonFile(Safetensors.Checkpoint ck) {
        assertArrayEquals(new double[]{0, 0.25, 0.5, 0.75, 1.0, 1.25}, ck.tensors().get("f32").toDoubleArray());
        assertArrayEquals(new int[]{2, 3}, ck.tensors().get("f32").shape());
        assertArrayEquals(new double[]{0.5, -1.25, 1e300, -0.0}, ck.tensors().get("f64").toDoubleArray());
        assertArrayEquals(new long[]{-3, 1L << 40, 7, 0}, ck.tensors().get("i64").toLongArray());
        assertArrayEquals(new int[]{1, -2, Integer.MAX_VALUE}, ck.tensors().get("i32").toIntArray());
        assertArrayEquals(new int[]{0, 5}, ck.tensors().get("empty").shape());
        assertEquals(Map.of("source", "python", "step", "12"), ck.metadata());
    }

    /** python3 on PATH, or the interpreter named by -Dsvdd.python (e.g. a venv with the safetensors package). */
    private static String python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("svdd.python", "python3")));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "python3 not found: Python interop test skipped");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeFalse(out.contains("No module named 'numpy'"), "numpy missing: Python interop test skipped");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void pythonWriterToJavaReaderLive() throws Exception {
        Path f = dir.resolve("py.safetensors");
        python(PYTHON_DIR.resolve("write_safetensors.py").toString(), f.toString());
        checkPythonFile(Safetensors.read(f, REF));
        assertArrayEquals(Files.readAllBytes(Path.of("src/test/resources/io/python_written.safetensors")), Files.readAllBytes(f),
                "the committed reference file is what write_safetensors.py writes");
    }

    @Test
    void javaWriterToPythonReader() throws Exception {
        Path f = dir.resolve("java.safetensors");
        Map<String, Tensor> in = sample();
        Safetensors.write(f, in, Map.of("step", "7"));
        String out = python(PYTHON_DIR.resolve("read_safetensors.py").toString(), f.toString());
        Map<String, String[]> lines = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] w = line.split(" ");
            lines.put(w[0].equals("meta") || w[0].equals("library") ? w[0] + w[1] : w[0], w);
        }
        if (lines.containsKey("libraryok")) {
            System.out.println("safetensors library cross-check: " + String.join(" ", lines.get("libraryok")));
            assertEquals(String.valueOf(in.size()), lines.get("libraryok")[2], "the safetensors library loads every tensor");
        } else {
            assertTrue(lines.containsKey("libraryabsent"), "the safetensors library disagrees with numpy:\n" + out);
        }
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            String[] l = lines.get(e.getKey());
            assertEquals(e.getValue().dtype().name(), l[1], e.getKey());
            double sum = 0;
            for (double v : e.getValue().toDoubleArray()) sum += v;
            assertEquals(sum, Double.parseDouble(l[3]), 1e-9 * Math.max(1, Math.abs(sum)), e.getKey());
        }
        assertEquals("7", lines.get("metastep")[2]);
        assertEquals("3x5", lines.get("w")[2]);
        assertEquals("3x4", lines.get("w_t")[2]);
        double[] wt = in.get("w_t").toDoubleArray();
        assertEquals(wt[0], Double.parseDouble(lines.get("w_t")[4]), 1e-7, "first element in logical (row-major) order");
        assertEquals(wt[wt.length - 1], Double.parseDouble(lines.get("w_t")[5]), 1e-7, "last element in logical order");
    }
}
