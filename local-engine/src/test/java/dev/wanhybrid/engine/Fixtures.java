package dev.wanhybrid.engine;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Locates the Wan golden fixtures: the (first) folder named by the system property {@code wan21.fixtures}, else the
 * copy in the test resources. Parity tests run over every set instead: {@link FixtureSets}.
 */
public final class Fixtures {

    private Fixtures() {}

    public static Path wan21() {
        return folder("wan21");
    }

    /** The Wan 2.2 fixtures: system property {@code wan22.fixtures}, else the test-resource copy. */
    public static Path wan22() {
        return folder("wan22");
    }

    private static Path folder(String name) {
        Torch.configureThreads(Integer.getInteger("engine.threads", 2));
        String configured = System.getProperty(name + ".fixtures");
        if (configured != null && !configured.isBlank()) {
            // A comma-separated list names several sets (see FixtureSets): single-set tests take the first.
            return Path.of(configured.split(",")[0].trim());
        }
        try {
            var url = Fixtures.class.getResource("/" + name + "-tiny/model_index.json");
            if (url == null) {
                throw new IllegalStateException(name + "-tiny fixtures missing from the test resources");
            }
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies a fixture checkpoint to {@code target} as a complete Diffusers folder: everything except the
     * {@code golden/} and {@code official/} folders (and {@code alsoSkip}), plus a word-level tokenizer.json.
     */
    public static Path checkpointFolder(Path source, Path target, String... alsoSkip) throws Exception {
        List<String> skipped = Stream.concat(Stream.of("golden", "official"), Stream.of(alsoSkip)).toList();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path relative = source.relativize(file);
                if (skipped.stream().anyMatch(relative::startsWith)) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createDirectories(target.resolve("tokenizer"));
        Files.copy(Path.of(Fixtures.class.getResource("/tokenizer-tiny/tokenizer.json").toURI()),
                target.resolve("tokenizer/tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** The input image of the {@code i2v_e2e} golden under {@code fixtures} as a PNG file's bytes. */
    public static byte[] i2vImagePng(Path fixtures) throws Exception {
        try (SafetensorsFile golden = golden(fixtures, "i2v_e2e")) {
            var hwc = golden.read("image.uint8_hwc");
            int h = (int) hwc.size(0);
            int w = (int) hwc.size(1);
            float[] v = Torch.toFloats(hwc);
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    image.setRGB(x, y, ((int) v[o] << 16) | ((int) v[o + 1] << 8) | (int) v[o + 2]);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        }
    }

    public static SafetensorsFile golden(String name) {
        return golden(wan21(), name);
    }

    public static SafetensorsFile golden(Path fixtures, String name) {
        Path file = fixtures.resolve("golden").resolve(name + ".safetensors");
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("golden file missing: " + file);
            }
            return SafetensorsFile.open(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
