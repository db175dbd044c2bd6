package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.video.Mp4Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API on a Wan 2.2 folder: detection, text- and image-to-video MP4s, LoRA selection, the demo. */
class Wan22EnginesTest {

    @TempDir
    static Path temp;

    private static VideoEngine engine;
    private static byte[] png;

    /** The wan22-tiny checkpoint plus a word-level tokenizer.json, as a complete Diffusers folder. */
    static Path tinyCheckpoint(Path target) throws Exception {
        return Fixtures.checkpointFolder(Fixtures.wan22(), target, "lora");
    }

    static Path fixtureLora() {
        return Fixtures.wan22().resolve("lora/pytorch_lora_weights.safetensors");
    }

    /** The i2v fixture's input image as a PNG file's bytes. */
    static byte[] fixtureImagePng() throws Exception {
        return Fixtures.i2vImagePng(Fixtures.wan22());
    }

    @BeforeAll
    static void load() throws Exception {
        engine = WanEngines.load(tinyCheckpoint(temp.resolve("tiny22")),
                EngineOptions.cpu().withTextLength(FixtureSets.of(Fixtures.wan22()).textLength()),
                Map.of("fixture-style", fixtureLora()));
        png = fixtureImagePng();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** The fixture set's video size: its i2v image has exactly this size, so the output keeps it. */
    private static final int[] SIZE = FixtureSets.of(Fixtures.wan22()).size();

    private static EngineRequest small(long seed) {
        return new EngineRequest("a cat walks on the grass", "", SIZE[0], SIZE[1], 5, 2, 5.0, seed, "unipc");
    }

    @Test
    void wan22FolderIsDetectedWithTheOfficialTi2vDefaults() {
        EngineInfo info = engine.info();
        assertThat(info.modelId()).isEqualTo("wan2.2-ti2v-custom");
        assertThat(info.defaultWidth()).isEqualTo(1280);
        assertThat(info.defaultHeight()).isEqualTo(704);
        assertThat(info.defaultFrames()).isEqualTo(121);
        assertThat(info.fps()).isEqualTo(24);
        assertThat(info.imageInput()).isTrue();
        assertThat(info.loras()).containsExactly("fixture-style");
    }

    @Test
    void textAndImageToVideoWriteH264Mp4sAndTheImageChangesTheVideo() throws Exception {
        List<Integer> progress = new ArrayList<>();
        Path t2v = temp.resolve("t2v.mp4");
        engine.generate(small(7), progress::add, t2v);
        Path i2v = temp.resolve("i2v.mp4");
        EngineResult result = engine.generate(small(7).withImage(png), null, i2v);
        for (Path file : List.of(t2v, i2v)) {
            Mp4Probe probe = Mp4Probe.read(file);
            assertThat(probe.frames()).isEqualTo(5);
            assertThat(probe.width()).isEqualTo(SIZE[0]);
            assertThat(probe.height()).isEqualTo(SIZE[1]);
            assertThat(probe.fps()).isEqualTo(24.0);
            assertThat(probe.codec()).isEqualTo("h264");
        }
        assertThat(result.fps()).isEqualTo(24);
        assertThat(progress).startsWith(0, 5).endsWith(100).isSorted();
        assertThat(Files.readAllBytes(i2v)).isNotEqualTo(Files.readAllBytes(t2v));
    }

    @Test
    void selectingALoraChangesTheVideoAndDroppingItRestoresTheBaseModel() throws Exception {
        Path plain = temp.resolve("plain.mp4");
        Path styled = temp.resolve("styled.mp4");
        Path plainAgain = temp.resolve("plain-again.mp4");
        engine.generate(small(11), null, plain);
        engine.generate(small(11).withLoras(List.of(new LoraSelection("fixture-style", 1.0))), null, styled);
        engine.generate(small(11), null, plainAgain);
        assertThat(Files.readAllBytes(styled)).isNotEqualTo(Files.readAllBytes(plain));
        assertThat(Files.readAllBytes(plainAgain)).isEqualTo(Files.readAllBytes(plain));
    }

    @Test
    void unknownLoraAndSizesOffTheGridAreInvalidRequests() {
        assertThatThrownBy(() -> engine.generate(small(1).withLoras(List.of(new LoraSelection("nope", 1.0))), null,
                temp.resolve("x.mp4")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue())
                .hasMessageContaining("nope");
        // TI2V needs multiples of 32 (VAE stride 16 times the DiT's 2x2 patch).
        assertThatThrownBy(() -> engine.generate(new EngineRequest("p", "", 80, 64, 5, 1, 5.0, 1, "unipc"), null,
                temp.resolve("y.mp4")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue())
                .hasMessageContaining("32");
        assertThatThrownBy(() -> engine.generate(small(1).withImage(new byte[] {1, 2, 3}), null,
                temp.resolve("z.mp4")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue());
    }

    @Test
    void wan22DemoRunsImageToVideoWithoutFiles() throws Exception {
        // The demo model has the shared wan22-tiny sizes whatever set the tests point at, so it takes that set's LoRA.
        Path sharedLora = Path.of(Fixtures.class.getResource("/wan22-tiny/lora/pytorch_lora_weights.safetensors").toURI());
        try (VideoEngine demo = WanEngines.demoWan22(EngineOptions.cpu(), Map.of("fixture-style", sharedLora))) {
            assertThat(demo.info().modelId()).isEqualTo("wan2.2-ti2v-demo");
            Path out = temp.resolve("demo22.mp4");
            demo.generate(new EngineRequest("a red ball", null, SIZE[0], SIZE[1], 5, 2, 5.0, 3, "unipc").withImage(png)
                    .withLoras(List.of(new LoraSelection("fixture-style", 0.5))), null, out);
            assertThat(Mp4Probe.read(out).frames()).isEqualTo(5);
        }
    }
}
