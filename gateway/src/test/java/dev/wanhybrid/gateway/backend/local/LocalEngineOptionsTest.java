package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's {@code gateway.local.*} settings reach the engine's options. */
class LocalEngineOptionsTest {

    private static LocalProperties properties(String dtype, String modelId, boolean offload) {
        return new LocalProperties(null, List.of("cuda:1"), Path.of("work"), 50, 5.0, "unipc", Duration.ofMinutes(4),
                Duration.ofHours(1), dtype, modelId, false, null, offload, null);
    }

    @Test
    void cudaDevicesGetBf16AndTheConfiguredTextEncoderPlacement() {
        EngineOptions kept = LocalBackendConfiguration.options(properties(null, null, false), "cuda:1");
        EngineOptions offloaded = LocalBackendConfiguration.options(properties(null, null, true), "cuda:1");

        assertThat(kept.device()).isEqualTo("cuda:1");
        assertThat(kept.offloadTextEncoder()).isFalse();
        assertThat(offloaded.offloadTextEncoder()).isTrue();
        assertThat(offloaded.dtype()).isEqualTo(EngineOptions.cuda().dtype());
    }

    @Test
    void cpuKeepsItsDefaultsUnlessDtypeAndModelAreSet() {
        EngineOptions options = LocalBackendConfiguration.options(properties("bf16", "wan2.2-ti2v-5b", true), "cpu");

        assertThat(options.device()).isEqualTo(EngineOptions.cpu().device());
        assertThat(options.dtype()).isEqualTo("bf16");
        assertThat(options.modelId()).isEqualTo("wan2.2-ti2v-5b");
        assertThat(options.offloadTextEncoder()).isTrue();
    }
}
