package dev.wanhybrid.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generation stopped at a denoising-step boundary, entirely in host memory (no native tensor, so it pins no
 * device memory), from which {@link VideoEngine#resume} continues to the video an uninterrupted run would have
 * written.
 *
 * <p>It holds the request with its defaults filled in (a random seed is already drawn), the index of the next
 * step, and named tensors and counters: {@code latents}, the text contexts {@code context} and
 * {@code contextNull}, for image-to-video the image's latent {@code image}, and the sampler's state under
 * {@code sampler.}. Engines make it; callers only keep it, serialize it ({@link #toBytes()}) and hand it back to
 * an engine of the same model.
 *
 * @param modelId the model that made it; only an engine of the same model resumes it
 * @param request the request with the engine's defaults filled in
 * @param nextStep the 0-based index of the first step still to run
 */
public record SuspendedGeneration(String modelId, EngineRequest request, int nextStep,
        Map<String, HostTensor> tensors, Map<String, Long> counters) {

    private static final String MAGIC = "wan-hybrid suspended generation v1";

    /** The highest tensor rank {@link #fromBytes} accepts (the engines keep at most 5). */
    private static final int MAX_RANK = 8;

    public SuspendedGeneration {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** Denoising steps in the whole run. */
    public int steps() {
        return request.steps();
    }

    /** Bytes of tensor data held. */
    public long hostBytes() {
        return tensors.values().stream().mapToLong(t -> t.data().length).sum();
    }

    /** A self-contained byte form (for example to write to disk); {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                hostBytes() + 4096));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, MAGIC);
            writeString(out, modelId);
            EngineRequest r = request;
            writeString(out, r.prompt());
            writeString(out, r.negativePrompt());
            out.writeInt(r.width());
            out.writeInt(r.height());
            out.writeInt(r.frames());
            out.writeInt(r.steps());
            out.writeDouble(r.guidanceScale());
            out.writeLong(r.seed());
            writeString(out, r.sampler());
            writeBytes(out, r.image());
            out.writeInt(r.loras().size());
            for (LoraSelection lora : r.loras()) {
                writeString(out, lora.name());
                out.writeDouble(lora.scale());
            }
            out.writeInt(nextStep);
            out.writeInt(counters.size());
            for (Map.Entry<String, Long> c : counters.entrySet()) {
                writeString(out, c.getKey());
                out.writeLong(c.getValue());
            }
            out.writeInt(tensors.size());
            for (Map.Entry<String, HostTensor> t : tensors.entrySet()) {
                writeString(out, t.getKey());
                writeString(out, t.getValue().dtype());
                long[] shape = t.getValue().shape();
                out.writeInt(shape.length);
                for (long d : shape) {
                    out.writeLong(d);
                }
                writeBytes(out, t.getValue().data());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads {@link #toBytes()}'s form; fails with an {@link IllegalArgumentException} on anything else (truncated
     * or corrupt bytes included).
     */
    public static SuspendedGeneration fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (!MAGIC.equals(readString(in))) {
                throw new IllegalArgumentException("not a suspended generation");
            }
            String modelId = require(readString(in), "model id");
            String prompt = readString(in);
            String negative = readString(in);
            int width = in.readInt();
            int height = in.readInt();
            int frames = in.readInt();
            int steps = in.readInt();
            double guidance = in.readDouble();
            long seed = in.readLong();
            String sampler = readString(in);
            byte[] image = readBytes(in);
            int loraCount = readCount(in, "LoRA");
            List<LoraSelection> loras = new ArrayList<>();
            for (int i = 0; i < loraCount; i++) {
                loras.add(new LoraSelection(readString(in), in.readDouble()));
            }
            EngineRequest request = new EngineRequest(prompt, negative, width, height, frames, steps, guidance, seed,
                    sampler, image, loras);
            int nextStep = in.readInt();
            Map<String, Long> counters = new LinkedHashMap<>();
            int counterCount = readCount(in, "counter");
            for (int i = 0; i < counterCount; i++) {
                counters.put(require(readString(in), "counter name"), in.readLong());
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            int tensorCount = readCount(in, "tensor");
            for (int i = 0; i < tensorCount; i++) {
                String name = require(readString(in), "tensor name");
                String dtype = require(readString(in), "dtype of tensor " + name);
                int rank = in.readInt();
                if (rank < 0 || rank > MAX_RANK) {
                    throw new IllegalArgumentException("tensor " + name + " has rank " + rank + " (0 to " + MAX_RANK
                            + " allowed)");
                }
                long[] shape = new long[rank];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                tensors.put(name, new HostTensor(shape, dtype, require(readBytes(in), "data of tensor " + name)));
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException("trailing bytes after a suspended generation");
            }
            return new SuspendedGeneration(modelId, request, nextStep, tensors, counters);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated suspended generation: " + e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    /** A count of entries: each takes at least one byte, so one above the bytes left is corrupt. */
    private static int readCount(DataInputStream in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IllegalArgumentException("corrupt " + what + " count " + n + " (" + in.available()
                    + " bytes left)");
        }
        return n;
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("suspended generation without a " + what);
        }
        return value;
    }

    /** {@code in} reads a byte array, so {@code available()} is exactly the bytes left. */
    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < -1 || n > in.available()) {
            throw new IllegalArgumentException("corrupt byte length " + n + " (" + in.available() + " bytes left)");
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new java.io.EOFException("expected " + n + " bytes, found " + b.length);
        }
        return b;
    }
}
