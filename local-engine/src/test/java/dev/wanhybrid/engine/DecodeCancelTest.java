package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress moves per VAE chunk, and a cancel during decoding lands before the next chunk. */
class DecodeCancelTest {

    @TempDir
    Path temp;

    @Test
    void progressReportsEveryDecodedChunkAndACancelStopsBeforeTheNext() throws Exception {
        try (VideoEngine demo = WanEngines.demo(EngineOptions.cpu())) {
            // 9 frames: 3 latent frames, so 3 VAE chunks.
            EngineRequest request = new EngineRequest("a demo prompt", null, 64, 32, 9, 2, 5.0, 1, "euler");
            List<Integer> progress = new ArrayList<>();
            demo.generate(request, progress::add, temp.resolve("whole.mp4"));
            assertThat(progress).contains(91, 93, 95).endsWith(100).isSorted();

            Path out = temp.resolve("cancelled.mp4");
            List<Integer> seen = new ArrayList<>();
            assertThatThrownBy(() -> demo.generate(request, p -> {
                seen.add(p);
                if (p > 90 && p < 95) {
                    Thread.currentThread().interrupt();
                }
            }, out)).isInstanceOf(InterruptedException.class).hasMessageContaining("VAE chunk 2 of 3");
            assertThat(seen).contains(91).doesNotContain(93, 100);
            assertThat(Files.exists(out)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }
}
