package dev.wanhybrid.engine.internal.vae;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Wan 2.2 VAE against {@code golden/vae.safetensors} of the official {@code Wan2_2_VAE}. */
public class Wan22VaeParityTest {

    private static ComponentWeights weights;
    private static Wan22Vae vae;

    @BeforeAll
    static void load() {
        Wan22VaeConfig config = Wan22VaeConfig.read(Fixtures.wan22().resolve("vae/config.json"));
        weights = ComponentWeights.open(Fixtures.wan22().resolve("vae"));
        vae = Wan22Vae.load(config, weights, DType.F32, null);
    }

    @AfterAll
    static void close() {
        vae.close();
        weights.close();
    }

    @Test
    void configReadsTheOfficialLatentStatisticsAndCompression() {
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "vae")) {
            assertThat(vae.config().latentsMean()).containsExactly(Torch.toFloats(golden.read("latents_mean")));
            // The golden std went through the wrapper's float32 1/std and back: equal up to float rounding.
            assertThat(vae.config().latentsStd()).containsExactly(Torch.toFloats(golden.read("latents_std")),
                    org.assertj.core.data.Offset.offset(1e-6f));
        }
        assertThat(vae.config().spatialStride()).isEqualTo(16);
        assertThat(vae.config().temporalStride()).isEqualTo(4);
    }

    @Test
    void patchifyPutsTheColumnOffsetInTheMoreSignificantChannelBit() {
        // One RGB 2x2 image: pixel (q, r) of channel c must land in channel 4c + 2r + q.
        float[] pixels = new float[12];
        for (int i = 0; i < 12; i++) {
            pixels[i] = i;
        }
        Tensor x = Torch.fromFloats(pixels, 1, 3, 1, 2, 2);
        float[] patched = Torch.toFloats(vae.patchify(x));
        // channel 0, pixel (q=1, r=0) is value 2 and goes to channel 1.
        assertThat(patched[1]).isEqualTo(2f);
        // pixel (q=0, r=1) is value 1 and goes to channel 2.
        assertThat(patched[2]).isEqualTo(1f);
        assertThat(Torch.toFloats(vae.unpatchify(vae.patchify(x)))).containsExactly(pixels);
    }

    static java.util.List<FixtureSets.Set> sets() {
        return FixtureSets.wan22();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void decodeMatchesOfficialChunkedDecoder(FixtureSets.Set set) {
        with(set, vae -> checkDecode(set, vae));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void encodeMatchesOfficialChunkedEncoder(FixtureSets.Set set) {
        with(set, vae -> checkEncode(set, vae));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void singleImageEncodesToTheFirstLatentFrame(FixtureSets.Set set) {
        with(set, vae -> checkImage(set, vae));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void everyStoredTensorOfEachSetIsUsedByTheModel(FixtureSets.Set set) {
        try (ComponentWeights w = ComponentWeights.open(set.resolve("vae"))) {
            with(set, vae -> assertThat(w.check(Wan22Vae.expectedShapes(vae.config()), name -> false).isClean())
                    .isTrue());
        }
    }

    /** Runs {@code body} on the set's VAE, loaded for it and closed after. */
    public static void with(FixtureSets.Set set, java.util.function.Consumer<Wan22Vae> body) {
        Wan22VaeConfig config = Wan22VaeConfig.read(set.resolve("vae/config.json"));
        try (ComponentWeights w = ComponentWeights.open(set.resolve("vae"));
                Wan22Vae vae = Wan22Vae.load(config, w, DType.F32, null)) {
            body.accept(vae);
        }
    }

    public static void checkDecode(FixtureSets.Set set, Wan22Vae vae) {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "vae")) {
            Tensor latents = golden.read("decode.input");
            assertClose(set + " " + "vae22 post_quant_out", vae.postQuantConv(latents), golden.read("decode.post_quant_out"),
                    COMPONENT);
            Tensor patches = vae.decodePatches(latents);
            assertClose(set + " " + "vae22 decoder_out", patches, golden.read("decode.decoder_out"), COMPONENT);
            // decode() is clamp(unpatchify(decodePatches)); one decoder pass keeps the test quick.
            assertClose(set + " " + "vae22 video", Torch.clamp(vae.unpatchify(patches), -1, 1).squeeze(0),
                    golden.read("decode.output"), COMPONENT);
        }
    }

    public static void checkEncode(FixtureSets.Set set, Wan22Vae vae) {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "vae")) {
            Tensor video = golden.read("encode.input");
            Tensor encoded = vae.encoderOutput(video);
            assertClose(set + " " + "vae22 encoder_out", encoded, golden.read("encode.encoder_out"), COMPONENT);
            Tensor moments = vae.encodeMoments(video);
            assertClose(set + " " + "vae22 conv1_out", moments, golden.read("encode.conv1_out"), COMPONENT);
            assertClose(set + " " + "vae22 mu_raw", moments.narrow(1, 0, moments.size(1) / 2), golden.read("encode.mu_raw"), COMPONENT);
            assertClose(set + " " + "vae22 latents", vae.encode(video).squeeze(0), golden.read("encode.output"), COMPONENT);
        }
    }

    public static void checkImage(FixtureSets.Set set, Wan22Vae vae) {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "vae")) {
            Tensor image = golden.read("encode_image.input").unsqueeze(0);
            assertClose(set + " " + "vae22 image latent", vae.encode(image).squeeze(0), golden.read("encode_image.output"),
                    COMPONENT);
        }
    }
}
