package org.svdd.tensor.io;

import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Shape;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints in the safetensors format, readable by Python's {@code safetensors} and by plain numpy:
 * <pre>
 *   8 bytes       little-endian u64 N, the header length
 *   N bytes       UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..,
 *                              "__metadata__": {"key": "value", ..}}, padded with spaces to a multiple of 8
 *   rest          the tensors' little-endian bytes; offsets are relative to here and tile it exactly
 * </pre>
 * Writing is atomic (temp file in the same folder, fsync, rename). Reading validates everything and names the
 * file, the tensor and the problem.
 */
public final class Safetensors {
    private static final String METADATA = "__metadata__";
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** One tensor's header entry. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    /** The header alone: entries in file order and the metadata. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    /** Tensors in file order and the string metadata (model config, training step, ...). */
    public record Checkpoint(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** The named tensor, checked against the expected dtype and shape. */
        public Tensor expect(String name, DType dtype, int... shape) throws CheckpointException {
            Tensor t = tensors.get(name);
            if (t == null) throw new CheckpointException(file, name, "missing (the file has " + tensors.keySet() + ")");
            if (t.dtype() != dtype) throw new CheckpointException(file, name, "dtype " + t.dtype() + ", expected " + dtype);
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new CheckpointException(file, name, "shape " + Shape.str(t.shape()) + ", expected " + Shape.str(shape));
            }
            return t;
        }
    }

    // ---- writing ----

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        List<HostStorage> data = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("'" + METADATA + "' is reserved and cannot name a tensor");
            Tensor t = e.getValue();
            HostStorage h = t.toHost();
            long bytes = (long) h.size() * t.dtype().bytes();
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().name());
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), entry);
            data.add(h);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                writeFully(ch, head.flip());
                for (HostStorage h : data) writeFully(ch, encode(h));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static ByteBuffer encode(HostStorage h) {
        ByteBuffer b = ByteBuffer.allocate(h.size() * h.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (h.dtype()) {
            case F32 -> b.asFloatBuffer().put(h.floats());
            case F64 -> b.asDoubleBuffer().put(h.doubles());
            case I32 -> b.asIntBuffer().put(h.ints());
            case I64 -> b.asLongBuffer().put(h.longs());
        }
        return b;
    }

    // ---- reading ----

    public static Checkpoint read(Path file) throws IOException {
        return read(file, Backends.current());
    }

    public static Checkpoint read(Path file, Backend backend) throws IOException {
        Header header = readHeader(file);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Entry e : header.entries()) {
                int n = Shape.numel(e.shape());
                ByteBuffer b = ByteBuffer.allocate((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
                long pos = header.dataStart() + e.begin();
                while (b.hasRemaining()) {
                    int r = ch.read(b, pos + b.position());
                    if (r < 0) throw new CheckpointException(file, e.name(), "data truncated");
                }
                b.flip();
                HostStorage h = switch (e.dtype()) {
                    case F32 -> {
                        float[] a = new float[n];
                        b.asFloatBuffer().get(a);
                        yield HostStorage.of(a);
                    }
                    case F64 -> {
                        double[] a = new double[n];
                        b.asDoubleBuffer().get(a);
                        yield HostStorage.of(a);
                    }
                    case I32 -> {
                        int[] a = new int[n];
                        b.asIntBuffer().get(a);
                        yield HostStorage.of(a);
                    }
                    case I64 -> {
                        long[] a = new long[n];
                        b.asLongBuffer().get(a);
                        yield HostStorage.of(a);
                    }
                };
                tensors.put(e.name(), backend.upload(h, e.shape()));
            }
        }
        return new Checkpoint(file, tensors, header.metadata());
    }

    /** Reads and validates the header only (for listing a checkpoint). */
    public static Header readHeader(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be opened (" + e.getMessage() + ")");
        }
        if (size < 8) throw new CheckpointException(file, "only " + size + " bytes: not a safetensors file (needs an 8-byte header length)");
        long n;
        byte[] json;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining()) if (ch.read(len) < 0) throw new CheckpointException(file, "truncated header length");
            n = len.flip().getLong();
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw new CheckpointException(file, "header length " + n + " does not fit a file of " + size + " bytes: truncated or not a safetensors file");
            }
            ByteBuffer h = ByteBuffer.allocate((int) n);
            while (h.hasRemaining()) if (ch.read(h) < 0) throw new CheckpointException(file, "truncated header");
            json = h.array();
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> top)) throw new CheckpointException(file, "header is not a JSON object");
        long dataStart = 8 + n, dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA)) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) throw new CheckpointException(file, "__metadata__ is not an object");
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) throw new CheckpointException(file, "__metadata__ value of '" + me.getKey() + "' is not a string");
                    metadata.put((String) me.getKey(), v);
                }
                continue;
            }
            entries.add(entry(file, name, kv.getValue(), dataLen));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin() != expected) {
                throw new CheckpointException(file, e.name(), e.begin() < expected ? "data overlaps the previous tensor" : "gap before its data at byte " + expected);
            }
            expected = e.end();
        }
        if (expected != dataLen) {
            throw new CheckpointException(file, "tensors cover " + expected + " data bytes but the file holds " + dataLen + (expected > dataLen ? ": truncated" : ": trailing bytes"));
        }
        return new Header(entries, metadata, dataStart);
    }

    private static Entry entry(Path file, String name, Object value, long dataLen) throws CheckpointException {
        if (!(value instanceof Map<?, ?> m)) throw new CheckpointException(file, name, "header entry is not an object");
        if (!(m.get("dtype") instanceof String dt)) throw new CheckpointException(file, name, "no dtype");
        DType dtype;
        try {
            dtype = DType.valueOf(dt);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, name, "dtype " + dt + " is not supported (supported: F32, F64, I32, I64)");
        }
        if (!(m.get("shape") instanceof List<?> sl)) throw new CheckpointException(file, name, "no shape");
        int[] shape = new int[sl.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) throw new CheckpointException(file, name, "bad shape " + sl);
            shape[i] = (int) (long) d;
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2 || !(ol.get(0) instanceof Long b) || !(ol.get(1) instanceof Long e)) {
            throw new CheckpointException(file, name, "data_offsets must be [begin, end]");
        }
        long numel;
        try {
            numel = Shape.numel(shape);
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(file, name, ex.getMessage());
        }
        if (b < 0 || e < b || e - b != numel * dtype.bytes()) {
            throw new CheckpointException(file, name, "data_offsets [" + b + ", " + e + "] do not hold " + Shape.str(shape) + " of " + dtype
                    + " (" + numel * dtype.bytes() + " bytes)");
        }
        if (e > dataLen) throw new CheckpointException(file, name, "data ends at byte " + e + " but only " + dataLen + " data bytes exist: truncated");
        return new Entry(name, dtype, shape, b, e);
    }
}
