package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.video.Mp4Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The T2V-A14B folder layout ({@code transformer/} high-noise expert, {@code transformer_2/} low-noise expert,
 * {@code boundary_ratio}, the Wan 2.1 VAE) loads through {@link WanEngines#load} and generates. There are no A14B
 * goldens: the experts here are two copies of the wan21-tiny DiT, so this checks detection, wiring and the
 * pair's lifecycle, not A14B numbers (the switch itself is {@code DenoiserExpertsSwitchTest}).
 */
class Wan22A14bLayoutTest {

    @TempDir
    Path temp;

    /** The wan21-tiny checkpoint with its DiT copied as the second expert of a T2V-A14B folder. */
    static Path a14bFolder(Path target) throws Exception {
        Path folder = WanEnginesTest.tinyCheckpoint(target);
        Files.createDirectories(folder.resolve("transformer_2"));
        try (var files = Files.list(folder.resolve("transformer"))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve("transformer_2").resolve(file.getFileName()));
            }
        }
        Files.writeString(folder.resolve("model_index.json"), """
                {"_class_name": "WanPipeline", "boundary_ratio": 0.875,
                 "transformer": ["diffusers", "WanTransformer3DModel"],
                 "transformer_2": ["diffusers", "WanTransformer3DModel"],
                 "vae": ["diffusers", "AutoencoderKLWan"], "text_encoder": ["transformers", "UMT5EncoderModel"],
                 "tokenizer": ["transformers", "AutoTokenizer"], "scheduler": ["diffusers", "UniPCMultistepScheduler"]}
                """);
        return folder;
    }

    @Test
    void a14bLayoutLoadsAsAnExpertPairAndWritesAVideo() throws Exception {
        Path folder = a14bFolder(temp.resolve("a14b"));
        try (VideoEngine engine = WanEngines.load(folder, WanEnginesTest.options())) {
            assertThat(engine.info().modelId()).isEqualTo("wan2.2-t2v-a14b");
            assertThat(engine.info().imageInput()).isFalse();
            assertThat(engine.info().fps()).isEqualTo(16);
            Path out = temp.resolve("a14b.mp4");
            // 4 steps at shift 12 are timesteps 999, 973, 923, 799: the last one is below the boundary 875.
            engine.generate(new EngineRequest("a cat walks on the grass", "", 64, 48, 5, 4, 5.0, 7, "unipc"), null, out);
            assertThat(Mp4Probe.read(out).frames()).isEqualTo(5);
            assertThatThrownBy(() -> engine.generate(new EngineRequest("p", "", 64, 48, 5, 1, 5.0, 7, "unipc")
                    .withImage(new byte[] {1}), null, temp.resolve("x.mp4")))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue())
                    .hasMessageContaining("does not take an input image");
        }
    }

    @Test
    void loraOnAWan21FolderIsRefusedAtLoad() throws Exception {
        Path folder = WanEnginesTest.tinyCheckpoint(temp.resolve("wan21"));
        assertThatThrownBy(() -> WanEngines.load(folder, WanEnginesTest.options(),
                Map.of("style", temp.resolve("style.safetensors"))))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("Wan 2.2");
    }
}
