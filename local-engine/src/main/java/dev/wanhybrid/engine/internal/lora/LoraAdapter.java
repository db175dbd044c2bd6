package dev.wanhybrid.engine.internal.lora;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import dev.wanhybrid.engine.internal.weights.TensorEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;

/**
 * One LoRA file in the naming community Wan LoRAs use for Diffusers ({@code transformer.<module>.lora_A.weight}
 * {@code [rank, in]}, {@code transformer.<module>.lora_B.weight} {@code [out, rank]}, optionally
 * {@code transformer.<module>.alpha}), read fully into memory (LoRA files are small) with the scale it is
 * applied at.
 */
public final class LoraAdapter {

    private static final String PREFIX = "transformer.";

    /** One low-rank update of the weight {@code target}: {@code W += factor * (B @ A)}. */
    public record Update(String target, Tensor down, Tensor up, double factor) {}

    private final String name;
    private final Map<String, Update> updates;

    private LoraAdapter(String name, Map<String, Update> updates) {
        this.name = name;
        this.updates = updates;
    }

    /**
     * Reads {@code file}; the merge factor of each module is {@code scale * alpha / rank}, with alpha = rank when
     * the file stores none (the PEFT convention Diffusers loads these files with).
     *
     * @throws IllegalArgumentException when the file holds no LoRA pairs or an unpaired/mis-shaped one
     */
    public static LoraAdapter read(String name, Path file, double scale) {
        Map<String, Tensor> down = new TreeMap<>();
        Map<String, Tensor> up = new TreeMap<>();
        Map<String, Double> alphas = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorEntry entry : f.entries().values()) {
                String key = entry.name();
                // Accept both the Diffusers "transformer." prefix and bare module names.
                String module = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
                if (module.endsWith(".lora_A.weight")) {
                    down.put(module.substring(0, module.length() - ".lora_A.weight".length()), f.read(key, DType.F32));
                } else if (module.endsWith(".lora_B.weight")) {
                    up.put(module.substring(0, module.length() - ".lora_B.weight".length()), f.read(key, DType.F32));
                } else if (module.endsWith(".alpha")) {
                    alphas.put(module.substring(0, module.length() - ".alpha".length()),
                            (double) Torch.toFloats(f.read(key, DType.F32))[0]);
                } else {
                    throw new IllegalArgumentException(file + ": " + key + " is not a LoRA tensor (lora_A, lora_B, alpha)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read LoRA file " + file, e);
        }
        if (down.isEmpty() || !down.keySet().equals(up.keySet())) {
            throw new IllegalArgumentException(file + ": lora_A and lora_B tensors do not pair up (A: "
                    + down.keySet() + ", B: " + up.keySet() + ")");
        }
        Map<String, Update> updates = new LinkedHashMap<>();
        for (var e : down.entrySet()) {
            Tensor a = e.getValue();
            Tensor b = up.get(e.getKey());
            long rank = a.size(0);
            if (a.dim() != 2 || b.dim() != 2 || b.size(1) != rank) {
                throw new IllegalArgumentException(file + ": " + e.getKey() + " has lora_A " + shape(a) + " and lora_B "
                        + shape(b) + ", which do not multiply");
            }
            double alpha = alphas.getOrDefault(e.getKey(), (double) rank);
            updates.put(e.getKey() + ".weight", new Update(e.getKey() + ".weight", a, b, scale * alpha / rank));
        }
        return new LoraAdapter(name, updates);
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(Torch.shape(t));
    }

    public String name() {
        return name;
    }

    /** Updates keyed by the Diffusers name of the weight they change. */
    public Map<String, Update> updates() {
        return updates;
    }
}
