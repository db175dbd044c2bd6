package dev.wanhybrid.engine;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wanhybrid.engine.internal.torch.Numerics;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import dev.wanhybrid.engine.internal.weights.TensorEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every golden set a parity test runs over, and what each set says about itself. The sets are the test-resource
 * folders {@code wan21-tiny*} / {@code wan22-tiny*} plus the folders named (comma-separated) by
 * {@code -Dwan21.fixtures} / {@code -Dwan22.fixtures}. Sizes, steps, shift, seeds and text length come from the
 * set's {@code manifest.json} and config files, never from constants.
 */
public final class FixtureSets {

    private FixtureSets() {}

    /** A golden set: its folder and its manifest. */
    public record Set(Path root, JsonObject manifest) {

        public String name() {
            return root.getFileName().toString();
        }

        @Override
        public String toString() {
            return name();
        }

        private JsonObject pipeline() {
            return manifest.getAsJsonObject("config").getAsJsonObject("pipeline");
        }

        /** The umT5 sequence length the DiT pads its context to (the Diffusers pipeline's max_sequence_length). */
        public int textLength() {
            return pipeline().get("text_len").getAsInt();
        }

        /** Denoising steps of the end-to-end goldens. */
        public int steps() {
            JsonObject p = pipeline();
            return (p.has("sample_steps") ? p.get("sample_steps") : p.get("sampling_steps")).getAsInt();
        }

        /** The end-to-end goldens' video size, width then height. */
        public int[] size() {
            JsonObject p = pipeline();
            var wh = (p.has("size_wh") ? p.get("size_wh") : p.get("size_w_h")).getAsJsonArray();
            return new int[] {wh.get(0).getAsInt(), wh.get(1).getAsInt()};
        }

        public double shift() {
            return pipeline().get("shift").getAsDouble();
        }

        public double guideScale() {
            return pipeline().get("guide_scale").getAsDouble();
        }

        /** A seed of the manifest's pipeline or seeds section ({@code seed_t2v}, {@code seed_i2v}, {@code e2e}). */
        public long seed(String key) {
            JsonObject config = manifest.getAsJsonObject("config");
            JsonElement e = pipeline().has(key) ? pipeline().get(key) : config.getAsJsonObject("seeds").get(key);
            return e.getAsLong();
        }

        public Path resolve(String path) {
            return root.resolve(path);
        }
    }

    public static List<Set> wan21() {
        return sets("wan21");
    }

    public static List<Set> wan22() {
        return sets("wan22");
    }

    /** The set with the fewest golden bytes: the cheapest one to run every check on. */
    public static Set smallest(List<Set> sets) {
        return sets.stream().min(java.util.Comparator.comparingLong(s -> goldenBytes(s.root()))).orElseThrow();
    }

    private static long goldenBytes(Path root) {
        try (Stream<Path> files = Files.list(root.resolve("golden"))) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Set of(Path root) {
        try {
            return new Set(root, JsonParser.parseString(Files.readString(root.resolve("manifest.json"))).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Set> sets(String generation) {
        Fixtures.wan21(); // configures libtorch's threads and backend as every engine test does
        Map<Path, Set> found = new LinkedHashMap<>();
        try {
            var url = FixtureSets.class.getResource("/" + generation + "-tiny/model_index.json");
            if (url == null) {
                throw new IllegalStateException(generation + "-tiny fixtures missing from the test resources");
            }
            Path resources = Path.of(url.toURI()).getParent().getParent();
            try (Stream<Path> folders = Files.list(resources)) {
                folders.filter(f -> f.getFileName().toString().startsWith(generation + "-tiny"))
                        .filter(f -> Files.isRegularFile(f.resolve("manifest.json")))
                        .sorted()
                        .forEach(f -> found.put(f.toAbsolutePath().normalize(), of(f)));
            }
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(e);
        }
        String configured = System.getProperty(generation + ".fixtures");
        if (configured != null && !configured.isBlank()) {
            for (String folder : configured.split(",")) {
                Path p = Path.of(folder.trim()).toAbsolutePath().normalize();
                found.putIfAbsent(p, of(p));
            }
        }
        if (REPORTED.add(generation)) {
            System.out.printf("fixture sets %s: %s (oneDNN %s)%n", generation, found.values(),
                    Numerics.oneDnnEnabled() ? "on" : "off");
        }
        return new ArrayList<>(found.values());
    }

    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    // ---------------------------------------------------------------------------------------------------------
    // Sign flip: a copy of a set whose golden outputs are negated, to prove the parity checks can fail.

    /** Golden tensors that are inputs of the official call (or settings), left as they are by {@link #signFlipped}. */
    private static final Pattern INPUTS = Pattern.compile("^(input_ids|attention_mask|input\\..*"
            + "|case\\d+\\.(x|t|context|seq_len)|(t2v|ti2v|t1d)\\.(x|t|context|context_padded|mask2)"
            + "|latents_mean|latents_std|sample_in|model_output\\.\\d+|timesteps|sigmas|noise|prompt\\..*"
            + "|negative\\..*|neg\\..*|seed|shift|guide_scale|seq_len|step\\d+\\.(t|timestep_tokens)"
            + "|encode\\.input|encode_image\\.input|decode\\.input|image\\..*"
            + "|n\\d+\\.(sample0|model_outputs|sigmas|timesteps|orders))$");

    private static final Map<String, String> FILE_INPUTS = Map.of("vae_decode", "latents", "vae_encode", "video");

    /**
     * Copies {@code source} to {@code target} with every float golden output negated (inputs, settings and
     * weights unchanged), so that a parity check run on the copy must fail.
     */
    public static Set signFlipped(Set source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source.root())) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.root().relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> goldens = Files.list(target.resolve("golden"))) {
            for (Path file : goldens.toList()) {
                String stem = file.getFileName().toString().replace(".safetensors", "");
                byte[] bytes = Files.readAllBytes(file);
                long dataStart = 8 + ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                try (SafetensorsFile golden = SafetensorsFile.open(file)) {
                    for (TensorEntry e : golden.entries().values()) {
                        boolean input = INPUTS.matcher(e.name()).matches() || e.name().equals(FILE_INPUTS.get(stem));
                        if (input || e.dtype() != DType.F32) {
                            continue;
                        }
                        // Negating a little-endian float32 is flipping the top bit of its last byte.
                        for (long at = dataStart + e.begin() + 3; at < dataStart + e.end(); at += 4) {
                            bytes[(int) at] ^= (byte) 0x80;
                        }
                    }
                }
                Files.write(file, bytes);
            }
        }
        return of(target);
    }

}
