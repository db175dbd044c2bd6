package dev.wanhybrid.engine.internal.weights;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * One memory-mapped {@code .safetensors} file.
 *
 * <p>The whole file is mapped once through a shared {@link Arena} (a single mapping may exceed 2 GB); tensor
 * bytes are copied into libtorch-owned memory in chunks of at most {@link #COPY_CHUNK} bytes, because the
 * {@link ByteBuffer} views that JavaCPP offers on native memory are int-indexed.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest slice copied at once: well under 2 GB so a ByteBuffer can address it. */
    static final long COPY_CHUNK = 1L << 28;

    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final long dataStart;
    private final Map<String, TensorEntry> entries;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapped, long dataStart,
            Map<String, TensorEntry> entries) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Maps {@code path} and parses its header; a truncated or malformed file fails here, naming the file. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new IOException(path + ": not a safetensors file (" + size + " bytes)");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(path + ": corrupt safetensors header length " + headerLength);
            }
            byte[] header = mapped.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            long dataStart = 8 + headerLength;
            Map<String, TensorEntry> entries = parseHeader(path, new String(header, StandardCharsets.UTF_8),
                    size - dataStart);
            return new SafetensorsFile(path, arena, mapped, dataStart, entries);
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(path + ": unreadable safetensors header: " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorEntry> parseHeader(Path path, String json, long dataLength)
            throws IOException {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (var field : root.entrySet()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject info = field.getValue().getAsJsonObject();
            DType dtype = DType.fromSafetensors(info.get("dtype").getAsString());
            var shapeJson = info.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
            }
            var offsets = info.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            TensorEntry entry = new TensorEntry(field.getKey(), dtype, shape, begin, end);
            if (begin < 0 || end < begin || end > dataLength || end - begin != entry.byteSize()) {
                throw new IOException(path + ": tensor " + field.getKey() + " has offsets [" + begin + ", " + end
                        + ") that do not fit its shape or the file (data length " + dataLength + ")");
            }
            entries.put(field.getKey(), entry);
        }
        return Collections.unmodifiableMap(entries);
    }

    public Path path() {
        return path;
    }

    /** The tensors in this file, by name, in header order. */
    public Map<String, TensorEntry> entries() {
        return entries;
    }

    /** Reads one tensor in its stored dtype; the caller owns the returned tensor. */
    public Tensor read(String name) {
        return read(name, COPY_CHUNK);
    }

    /** Reads one tensor copying at most {@code chunk} bytes at a time (tests use small chunks). */
    Tensor read(String name, long chunk) {
        TensorEntry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(path + " has no tensor " + name);
        }
        Tensor tensor = torch.empty(entry.shape(), new TensorOptions(entry.dtype().torchType()), null);
        long total = entry.byteSize();
        if (total == 0) {
            return tensor;
        }
        BytePointer destination = new BytePointer(tensor.data_ptr());
        try {
            for (long offset = 0; offset < total; offset += chunk) {
                long length = Math.min(chunk, total - offset);
                ByteBuffer target = destination.position(offset).limit(offset + length).asBuffer();
                ByteBuffer source = mapped.asSlice(dataStart + entry.begin() + offset, length).asByteBuffer();
                target.put(source);
            }
        } finally {
            destination.setNull();
        }
        return tensor;
    }

    /** Reads one tensor converted to {@code target} (for example bf16 weights promoted to float32). */
    public Tensor read(String name, DType target) {
        Tensor raw = read(name);
        if (entries.get(name).dtype() == target) {
            return raw;
        }
        Tensor converted = raw.to(target.torchType());
        raw.close();
        return converted;
    }

    @Override
    public void close() {
        arena.close();
    }
}
