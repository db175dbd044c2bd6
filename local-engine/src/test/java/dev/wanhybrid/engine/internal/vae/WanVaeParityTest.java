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
import java.util.List;
import java.util.function.BiConsumer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Wan 2.1 VAE against {@code golden/vae_decode} and {@code golden/vae_encode} of every Wan 2.1 set. */
public class WanVaeParityTest {

    static List<FixtureSets.Set> sets() {
        return FixtureSets.wan21();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void everyStoredTensorIsUsedByTheModel(FixtureSets.Set set) {
        with(set, (vae, weights) -> assertThat(weights.check(WanVae.expectedShapes(vae.config()), name -> false)
                .isClean()).isTrue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void decodeMatchesOfficialCausalChunkedDecoder(FixtureSets.Set set) {
        checkDecode(set);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void encodeMatchesOfficialChunkedEncoder(FixtureSets.Set set) {
        checkEncode(set);
    }

    public static void checkDecode(FixtureSets.Set set) {
        with(set, (vae, weights) -> {
            try (SafetensorsFile golden = Fixtures.golden(set.root(), "vae_decode")) {
                Tensor latents = golden.read("latents").unsqueeze(0);
                assertClose(set + " vae post_quant_conv_out", vae.postQuantConv(latents).squeeze(0),
                        golden.read("dbg.post_quant_conv_out"), COMPONENT);
                Tensor raw = vae.decode(latents, false).squeeze(0);
                assertClose(set + " vae video_unclamped", raw, golden.read("video_unclamped"), COMPONENT);
                // decode(latents) clamps exactly this output to [-1, 1]; one decoder pass keeps the test quick.
                assertClose(set + " vae video", Torch.clamp(raw, -1, 1), golden.read("video"), COMPONENT);
            }
        });
    }

    public static void checkEncode(FixtureSets.Set set) {
        with(set, (vae, weights) -> {
            try (SafetensorsFile golden = Fixtures.golden(set.root(), "vae_encode")) {
                Tensor video = golden.read("video").unsqueeze(0);
                Tensor moments = vae.encodeMoments(video).squeeze(0);
                long z = moments.size(0) / 2;
                assertClose(set + " vae quant_conv_out", moments, golden.read("dbg.quant_conv_out"), COMPONENT);
                assertClose(set + " vae mu_unnormalized", moments.narrow(0, 0, z), golden.read("mu_unnormalized"),
                        COMPONENT);
                assertClose(set + " vae latents", vae.encode(video).squeeze(0), golden.read("latents"), COMPONENT);
            }
        });
    }

    private static void with(FixtureSets.Set set, BiConsumer<WanVae, ComponentWeights> body) {
        WanVaeConfig config = WanVaeConfig.read(set.resolve("vae/config.json"));
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("vae"));
                WanVae vae = WanVae.load(config, weights, DType.F32)) {
            body.accept(vae, weights);
        }
    }
}
