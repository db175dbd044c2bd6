package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.video.Mp4Probe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WanEnginesTest {

    @TempDir
    static Path temp;

    private static VideoEngine engine;

    /** CPU options with the fixture set's text length. */
    static EngineOptions options() {
        return EngineOptions.cpu().withTextLength(FixtureSets.of(Fixtures.wan21()).textLength());
    }

    /** The tiny fixture checkpoint plus a word-level tokenizer.json, as a complete Diffusers folder. */
    static Path tinyCheckpoint(Path target) throws Exception {
        return Fixtures.checkpointFolder(Fixtures.wan21(), target);
    }

    @BeforeAll
    static void load() throws Exception {
        Fixtures.wan21();
        engine = WanEngines.load(tinyCheckpoint(temp.resolve("tiny")), options());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static EngineRequest small(long seed) {
        return new EngineRequest("a cat walks on the grass", "", 64, 48, 5, 3, 5.0, seed, "unipc");
    }

    @Test
    void tinyCheckpointGeneratesAnH264Mp4ThatDecodesToTheRequestedFrames() throws Exception {
        List<Integer> progress = new ArrayList<>();
        Path out = temp.resolve("tiny.mp4");
        EngineResult result = engine.generate(small(7), progress::add, out);

        Mp4Probe probe = Mp4Probe.read(out);
        assertThat(probe.frames()).isEqualTo(5);
        assertThat(probe.width()).isEqualTo(64);
        assertThat(probe.height()).isEqualTo(48);
        assertThat(probe.fps()).isEqualTo(16.0);
        assertThat(probe.codec()).isEqualTo("h264");
        assertThat(result.frames()).isEqualTo(5);
        assertThat(result.fps()).isEqualTo(16);
        assertThat(result.deviceTime()).isPositive();
        assertThat(progress).startsWith(0, 5).endsWith(100).isSorted();
        assertThat(engine.info().modelId()).isEqualTo("wan2.1-t2v-custom");
        assertThat(engine.info().defaultWidth()).isEqualTo(832);
        assertThat(engine.info().defaultFrames()).isEqualTo(81);
    }

    @Test
    void sameSeedGivesTheSameVideoAndAnotherSeedADifferentOne() throws Exception {
        Path first = temp.resolve("seed-a.mp4");
        Path again = temp.resolve("seed-a-again.mp4");
        Path other = temp.resolve("seed-b.mp4");
        engine.generate(small(11), ProgressListener.NONE, first);
        engine.generate(small(11), ProgressListener.NONE, again);
        engine.generate(small(12), ProgressListener.NONE, other);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(first));
        assertThat(Files.readAllBytes(other)).isNotEqualTo(Files.readAllBytes(first));
    }

    @Test
    void interruptingTheCallerCancelsBetweenStepsAndWritesNoFile() {
        Path out = temp.resolve("cancelled.mp4");
        List<Integer> progress = new ArrayList<>();
        assertThatThrownBy(() -> engine.generate(small(3), percent -> {
            progress.add(percent);
            if (percent > 5) {
                Thread.currentThread().interrupt();
            }
        }, out)).isInstanceOf(InterruptedException.class).hasMessageContaining("before step 2 of 3");
        assertThat(out).doesNotExist();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void requestsTheModelCannotServeAreRejectedAsInvalid() {
        assertThatThrownBy(() -> engine.generate(new EngineRequest("x", null, 100, 48, 5, 3, 5.0, 1, null),
                ProgressListener.NONE, temp.resolve("bad.mp4")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isTrue())
                .hasMessageContaining("width 100");
        assertThatThrownBy(() -> engine.generate(new EngineRequest("x", null, 64, 48, 6, 3, 5.0, 1, null),
                ProgressListener.NONE, temp.resolve("bad.mp4"))).hasMessageContaining("frames 6");
        assertThatThrownBy(() -> engine.generate(new EngineRequest("x", null, 64, 48, 5, 3, 5.0, 1, "ddim"),
                ProgressListener.NONE, temp.resolve("bad.mp4"))).hasMessageContaining("sampler ddim");
    }

    @Test
    void checkpointThatDoesNotMatchItsConfigFailsNamingTheTensors() throws Exception {
        Path broken = tinyCheckpoint(temp.resolve("broken"));
        Path config = broken.resolve("transformer/config.json");
        String json = Files.readString(config);
        int layers = com.google.gson.JsonParser.parseString(json).getAsJsonObject().get("num_layers").getAsInt();
        Files.writeString(config, json.replace("\"num_layers\": " + layers, "\"num_layers\": " + (layers + 1)));
        assertThatThrownBy(() -> WanEngines.load(broken, options()))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.isInvalidRequest()).isFalse())
                .hasMessageContaining("missing")
                .hasMessageContaining("blocks." + layers + ".attn1.to_q.weight");
    }

    @Test
    void truncatedWeightsFileFailsStartUpWithItsName() throws Exception {
        Path broken = tinyCheckpoint(temp.resolve("truncated"));
        Path weights = broken.resolve("vae/diffusion_pytorch_model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> WanEngines.load(broken, options()))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("diffusion_pytorch_model.safetensors");
    }

    @Test
    void demoEngineNeedsNoFilesAndWritesALabelledPlayableMp4() throws Exception {
        try (VideoEngine demo = WanEngines.demo(EngineOptions.cpu())) {
            Path out = temp.resolve("demo.mp4");
            demo.generate(new EngineRequest("a demo prompt", null, 64, 32, 5, 2, 5.0, 1, "euler"),
                    ProgressListener.NONE, out);
            assertThat(demo.info().modelId()).isEqualTo(WanEngines.DEMO_MODEL_ID);
            assertThat(Mp4Probe.read(out).frames()).isEqualTo(5);
            assertThat(new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .contains("demo output");
        }
    }
}
