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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
    private static final List<String> ENTRY_KEYS = List.of("dtype", "shape", "data_offsets");
    /** Same limit as the reference implementation: larger headers are refused as corrupt. */
    private static final long MAX_HEADER = 100L << 20;
    /** Tensor data moves between file and arrays in chunks of this many bytes (so tensors may exceed 2 GiB). */
    private static final int CHUNK = 1 << 20;

    private Safetensors() {
    }

    /**
     * One tensor's header entry: its dtype, shape and byte range {@code [begin, end)} relative to the data section.
     */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public int numel() {
            return Shape.numel(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                    && begin == e.begin && end == e.end;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Shape.str(shape) + " [" + begin + ", " + end + ")";
        }
    }

    /** The header alone: entries in file order, the metadata, and the absolute file offset of the data section. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
        public Header {
            entries = List.copyOf(entries);
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * A loaded checkpoint: tensors in file order and the string metadata (model config, training step, ...).
     * Both maps are read-only and keep the file's order.
     */
    public record Checkpoint(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Checkpoint {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /**
         * The named tensor, checked against the expected dtype and shape.
         *
         * @throws CheckpointException naming the file, the tensor, what was expected and what was found
         */
        public Tensor expect(String name, DType dtype, int... shape) throws CheckpointException {
            Tensor t = tensors.get(name);
            if (t == null) throw new CheckpointException(file, name, "missing (the file has " + tensors.keySet() + ")");
            if (t.dtype() != dtype) throw new CheckpointException(file, name, "dtype " + t.dtype() + ", expected " + dtype);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new CheckpointException(file, name, "shape " + Shape.str(t.shape()) + ", expected " + Shape.str(shape));
            }
            return t;
        }
    }

    // ---- writing ----

    /**
     * Writes tensors (any backend, any strides; downloaded with {@link Tensor#toHost()}) in map iteration order,
     * plus string metadata (null or empty for none). Atomic ({@link AtomicFiles}): readers see the old file or the new
     * one, never a mix, and nothing is left behind if anything fails.
     *
     * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
     */
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
        AtomicFiles.write(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                writeFully(ch, head.flip());
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (HostStorage h : data) writeData(ch, h, buf);
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Streams one storage as little-endian bytes through buf, a chunk at a time. */
    private static void writeData(FileChannel ch, HostStorage h, ByteBuffer buf) throws IOException {
        int n = h.size(), per = CHUNK / h.dtype().bytes();
        for (int start = 0; start < n; start += per) {
            int len = Math.min(per, n - start);
            buf.clear();
            switch (h.dtype()) {
                case F32 -> buf.asFloatBuffer().put(h.floats(), start, len);
                case F64 -> buf.asDoubleBuffer().put(h.doubles(), start, len);
                case I32 -> buf.asIntBuffer().put(h.ints(), start, len);
                case I64 -> buf.asLongBuffer().put(h.longs(), start, len);
            }
            buf.limit(len * h.dtype().bytes());
            writeFully(ch, buf);
        }
    }

    // ---- reading ----

    /**
     * Reads and validates a whole checkpoint onto {@link Backends#current()}: a test and entry-point convenience;
     * library loaders take the backend ({@link #read(Path, Backend)}).
     */
    public static Checkpoint read(Path file) throws IOException {
        return read(file, Backends.current());
    }

    /**
     * Reads and validates a whole checkpoint onto the given backend.
     *
     * @throws CheckpointException naming the file (and tensor) for any malformed, unsupported or truncated content
     */
    public static Checkpoint read(Path file, Backend backend) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Header header;
        try (FileChannel ch = open(file)) {
            header = readHeader(file, ch);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : header.entries()) {
                HostStorage h = HostStorage.allocate(e.dtype(), e.numel());
                readData(file, ch, e, header.dataStart() + e.begin(), h, buf);
                tensors.put(e.name(), backend.upload(h, e.shape()));
            }
        }
        return new Checkpoint(file, tensors, header.metadata());
    }

    private static FileChannel open(Path file) throws CheckpointException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be opened (" + e + ")");
        }
    }

    /** Fills h from the file at pos, a chunk at a time. */
    private static void readData(Path file, FileChannel ch, Entry e, long pos, HostStorage h, ByteBuffer buf) throws IOException {
        int n = h.size(), per = CHUNK / e.dtype().bytes();
        for (int start = 0; start < n; start += per) {
            int len = Math.min(per, n - start);
            buf.clear().limit(len * e.dtype().bytes());
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) throw new CheckpointException(file, e.name(), "data truncated (the file shrank while reading)");
            }
            pos += buf.limit();
            buf.flip();
            switch (e.dtype()) {
                case F32 -> buf.asFloatBuffer().get(h.floats(), start, len);
                case F64 -> buf.asDoubleBuffer().get(h.doubles(), start, len);
                case I32 -> buf.asIntBuffer().get(h.ints(), start, len);
                case I64 -> buf.asLongBuffer().get(h.longs(), start, len);
            }
        }
    }

    /**
     * Reads and validates the header only, without loading tensor data (for listing a checkpoint). All offset checks
     * of {@link #read} are done here too.
     */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw new CheckpointException(file, "only " + size + " bytes: not a safetensors file (needs an 8-byte header length)");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (len.hasRemaining()) if (ch.read(len, len.position()) < 0) throw new CheckpointException(file, "truncated header length");
        long n = len.flip().getLong();
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw new CheckpointException(file, "header length " + Long.toUnsignedString(n) + " does not fit a file of " + size
                    + " bytes (limit " + MAX_HEADER + "): truncated or not a safetensors file");
        }
        ByteBuffer h = ByteBuffer.allocate((int) n);
        while (h.hasRemaining()) if (ch.read(h, 8 + h.position()) < 0) throw new CheckpointException(file, "truncated header");
        byte[] json = h.array();
        Object parsed;
        try {
            parsed = Json.parse(Json.decodeUtf8(json));
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
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
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
        for (Object key : m.keySet()) {
            if (!ENTRY_KEYS.contains(key)) throw new CheckpointException(file, name, "unknown header field '" + key + "' (expected " + ENTRY_KEYS + ")");
        }
        if (!(m.get("dtype") instanceof String dt)) throw new CheckpointException(file, name, "no dtype");
        DType dtype;
        try {
            dtype = DType.valueOf(dt);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, name, "dtype " + dt + " is not supported (supported: " + Arrays.toString(DType.values()) + ")");
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
