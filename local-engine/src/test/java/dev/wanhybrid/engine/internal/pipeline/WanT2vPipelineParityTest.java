package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.END_TO_END;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.WanVae;
import dev.wanhybrid.engine.internal.vae.WanVaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

public class WanT2vPipelineParityTest {

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        // Batched guidance on every set; the two-pass path (set-independent code) on the first one.
        java.util.List<FixtureSets.Set> sets = FixtureSets.wan21();
        return java.util.stream.Stream.concat(
                sets.stream().map(s -> org.junit.jupiter.params.provider.Arguments.of(s, true)),
                java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(sets.get(0), false)));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}, batched guidance: {1}")
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void textToVideoMatchesOfficialGenerateStepByStepAndInTheDecodedVideo(FixtureSets.Set set, boolean batchGuidance)
            throws Exception {
        check(set, batchGuidance);
    }

    /** The official {@code WanT2V.generate} trace of the set, step by step, then the decoded video. */
    public static void check(FixtureSets.Set set, boolean batchGuidance) throws Exception {
        Path root = set.root();
        try (ComponentWeights t5w = ComponentWeights.open(root.resolve("text_encoder"));
                ComponentWeights ditw = ComponentWeights.open(root.resolve("transformer"));
                ComponentWeights vaew = ComponentWeights.open(root.resolve("vae"));
                SafetensorsFile golden = Fixtures.golden(root, "t2v_e2e");
                WanT2vPipeline pipeline = new WanT2vPipeline(null,
                        UmT5Encoder.load(UmT5Config.read(root.resolve("text_encoder/config.json")), t5w, DType.F32),
                        WanTransformer.load(WanTransformerConfig.read(root.resolve("transformer/config.json"), set.textLength()),
                                ditw, DType.F32),
                        WanVae.load(WanVaeConfig.read(root.resolve("vae/config.json")), vaew, DType.F32),
                        new Device(torch.kCPU()), batchGuidance)) {

            Tensor context = pipeline.encodeTokens(Torch.toLongs(golden.read("prompt.input_ids")),
                    Torch.toLongs(golden.read("prompt.attention_mask")));
            Tensor contextNull = pipeline.encodeTokens(Torch.toLongs(golden.read("negative.input_ids")),
                    Torch.toLongs(golden.read("negative.attention_mask")));
            assertClose(set + " e2e context", context, golden.read("context"), COMPONENT);
            assertClose(set + " e2e context_null", contextNull, golden.read("context_null"), COMPONENT);

            Tensor noise = golden.read("noise");
            long seed = Torch.toLongs(golden.read("seed"))[0];
            assertClose(set + " e2e seeded noise", WanT2vPipeline.initialNoise(seed, Torch.shape(noise)), noise, 0.0);

            float shift = Torch.toFloats(golden.read("shift"))[0];
            float guide = Torch.toFloats(golden.read("guide_scale"))[0];
            assertThat((double) shift).isEqualTo(set.shift());
            assertThat(seed).isEqualTo(set.seed("e2e"));
            FlowScheduler scheduler = FlowScheduler.create("unipc", set.steps(), shift);
            assertThat(scheduler.timesteps()).containsExactly(Torch.toLongs(golden.read("timesteps")));
            List<String> checked = new ArrayList<>();
            Tensor latents = pipeline.denoise(noise, context, contextNull, scheduler, guide,
                    (i, t, in, cond, uncond, guided, out) -> {
                        String p = "step" + i + ".";
                        assertThat(t).isEqualTo(Torch.toLongs(golden.read(p + "t"))[0]);
                        assertClose(set + " e2e " + p + "latent_in", in, golden.read(p + "latent_in"), END_TO_END);
                        assertClose(set + " e2e " + p + "noise_pred_cond", cond, golden.read(p + "noise_pred_cond"), END_TO_END);
                        assertClose(set + " e2e " + p + "noise_pred_uncond", uncond, golden.read(p + "noise_pred_uncond"),
                                END_TO_END);
                        assertClose(set + " e2e " + p + "noise_pred", guided, golden.read(p + "noise_pred"), END_TO_END);
                        assertClose(set + " e2e " + p + "latent_out", out, golden.read(p + "latent_out"), END_TO_END);
                        checked.add(p);
                    });
            scheduler.close();
            assertThat(checked).hasSize(set.steps());
            assertClose(set + " e2e latent_final", latents, golden.read("latent_final"), END_TO_END);
            assertClose(set + " e2e video", pipeline.decode(latents), golden.read("video"), END_TO_END);
        }
    }
}
