package dev.wanhybrid.engine.internal.vae;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WanVaeParityTest {

    private static ComponentWeights weights;
    private static WanVae vae;

    @BeforeAll
    static void load() {
        WanVaeConfig config = WanVaeConfig.read(Fixtures.wan21().resolve("vae/config.json"));
        weights = ComponentWeights.open(Fixtures.wan21().resolve("vae"));
        vae = WanVae.load(config, weights, DType.F32);
    }

    @AfterAll
    static void close() {
        vae.close();
        weights.close();
    }

    @Test
    void everyStoredTensorIsUsedByTheModel() {
        assertThat(weights.check(WanVae.expectedShapes(vae.config()), name -> false).isClean()).isTrue();
    }

    @Test
    void decodeMatchesOfficialCausalChunkedDecoder() {
        try (SafetensorsFile golden = Fixtures.golden("vae_decode")) {
            Tensor latents = golden.read("latents").unsqueeze(0);
            assertClose("vae post_quant_conv_out", vae.postQuantConv(latents).squeeze(0),
                    golden.read("dbg.post_quant_conv_out"), COMPONENT);
            Tensor raw = vae.decode(latents, false).squeeze(0);
            assertClose("vae video_unclamped", raw, golden.read("video_unclamped"), COMPONENT);
            // decode(latents) clamps exactly this output to [-1, 1]; one decoder pass keeps the test quick.
            assertClose("vae video", dev.wanhybrid.engine.internal.torch.Torch.clamp(raw, -1, 1), golden.read("video"),
                    COMPONENT);
        }
    }

    @Test
    void encodeMatchesOfficialChunkedEncoder() {
        try (SafetensorsFile golden = Fixtures.golden("vae_encode")) {
            Tensor video = golden.read("video").unsqueeze(0);
            Tensor moments = vae.encodeMoments(video).squeeze(0);
            assertClose("vae quant_conv_out", moments, golden.read("dbg.quant_conv_out"), COMPONENT);
            assertClose("vae mu_unnormalized", moments.narrow(0, 0, 16), golden.read("mu_unnormalized"), COMPONENT);
            assertClose("vae latents", vae.encode(video).squeeze(0), golden.read("latents"), COMPONENT);
        }
    }
}
