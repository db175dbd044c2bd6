package dev.wanhybrid.engine;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the Wan golden fixtures: the folder named by the system property {@code wan21.fixtures}, else the
 * copy in the test resources.
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
            return Path.of(configured);
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
