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
        Torch.configureThreads(Integer.getInteger("engine.threads", 2));
        String configured = System.getProperty("wan21.fixtures");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        try {
            var url = Fixtures.class.getResource("/wan21-tiny/model_index.json");
            if (url == null) {
                throw new IllegalStateException("wan21-tiny fixtures missing from the test resources");
            }
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SafetensorsFile golden(String name) {
        Path file = wan21().resolve("golden").resolve(name + ".safetensors");
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
