package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.Parity.END_TO_END;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.lora.LoraAdapter;
import dev.wanhybrid.engine.internal.lora.LoraMergingWeights;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.Wan22Vae;
import dev.wanhybrid.engine.internal.vae.Wan22VaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The A14B expert switch on each Wan 2.2 golden set: two tiny experts that differ (the set's DiT as the high-noise
 * expert, the same DiT with the set's LoRA merged as the low-noise one), a boundary at the set's middle timestep
 * (937 on the shared set, between the official T2V-A14B ratio 0.875's 875 and the first step) and a guidance scale
 * per expert. There is no golden from an official A14B run; what is
 * checked is which expert and guidance serve each step, that the high-noise steps reproduce the official TI2V
 * trace, and that at most one expert is loaded when they are not resident.
 */
class DenoiserExpertsSwitchTest {

    static java.util.List<FixtureSets.Set> sets() {
        return FixtureSets.wan22();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void stepsAtOrAboveTheBoundaryUseTheHighNoiseExpertAndOnlyOneExpertIsLoadedAtATime(FixtureSets.Set set)
            throws Exception {
        Path root = set.root();
        int steps = set.steps();
        // The set's own trace: its timesteps, its guidance for the high-noise expert (the official trace holds there),
        // and a boundary at the middle step, so that both experts serve (on the shared set: 937, steps 0 and 1 high).
        long[] timesteps;
        try (SafetensorsFile golden = Fixtures.golden(root, "t2v_e2e")) {
            timesteps = new long[steps];
            for (int i = 0; i < steps; i++) {
                timesteps[i] = Torch.toLongs(golden.read("step" + i + ".t"))[0];
            }
        }
        final long BOUNDARY = timesteps[(steps - 1) / 2];
        final double HIGH_GUIDE = set.guideScale();
        final double LOW_GUIDE = HIGH_GUIDE - 2.0;
        int textLength = set.textLength();
        WanTransformerConfig ditConfig = WanTransformerConfig.read(root.resolve("transformer/config.json"), textLength);
        LoraAdapter lora = LoraAdapter.read("low", root.resolve("lora/pytorch_lora_weights.safetensors"), 1.0);
        try (ComponentWeights t5w = ComponentWeights.open(root.resolve("text_encoder"));
                ComponentWeights ditw = ComponentWeights.open(root.resolve("transformer"));
                ComponentWeights vaew = ComponentWeights.open(root.resolve("vae"));
                SafetensorsFile golden = Fixtures.golden(root, "t2v_e2e");
                WanTransformer lowReference = WanTransformer.load(ditConfig,
                        new LoraMergingWeights(ditw, List.of(lora)), DType.F32)) {
            List<String> loadsSeen = new ArrayList<>();
            Supplier<WanTransformer> high = () -> {
                loadsSeen.add("high");
                return WanTransformer.load(ditConfig, ditw, DType.F32);
            };
            Supplier<WanTransformer> low = () -> {
                loadsSeen.add("low");
                return WanTransformer.load(ditConfig, new LoraMergingWeights(ditw, List.of(lora)), DType.F32);
            };
            DenoiserExperts experts = DenoiserExperts.pair(high, low, BOUNDARY, HIGH_GUIDE, LOW_GUIDE, false);
            try (Wan22Pipeline pipeline = new Wan22Pipeline(null,
                    UmT5Encoder.load(UmT5Config.read(root.resolve("text_encoder/config.json")), t5w, DType.F32),
                    experts,
                    LatentCodec.of(Wan22Vae.load(Wan22VaeConfig.read(root.resolve("vae/config.json")), vaew,
                            DType.F32, null)),
                    new Device(torch.kCPU()), false);
                    FlowScheduler scheduler = FlowScheduler.create("unipc", steps, set.shift())) {
                Tensor context = pipeline.encodeTokens(Torch.toLongs(golden.read("prompt.ids")),
                        Torch.toLongs(golden.read("prompt.mask")));
                Tensor contextNull = pipeline.encodeTokens(Torch.toLongs(golden.read("neg.ids")),
                        Torch.toLongs(golden.read("neg.mask")));
                Tensor padded = Torch.pad(context, 0, 0, 0, textLength - context.size(0)).unsqueeze(0);
                List<Integer> loadedPerStep = new ArrayList<>();
                pipeline.denoise(golden.read("noise"), context, contextNull, null, scheduler,
                        (i, t, in, cond, uncond, guided, out) -> {
                            loadedPerStep.add(experts.loaded());
                            String p = "step" + i + ".";
                            double g = t >= BOUNDARY ? HIGH_GUIDE : LOW_GUIDE;
                            assertClose("switch " + p + "guidance of its expert", guided,
                                    uncond.add(cond.sub(uncond).mul(Torch.s(g))), 1e-6);
                            if (t >= BOUNDARY) {
                                // The high-noise expert is the fixture DiT: the official trace holds.
                                assertClose("switch " + p + "v_cond (high)", cond, golden.read(p + "v_cond"), END_TO_END);
                            } else {
                                Tensor expected = lowReference.forward(in.unsqueeze(0), new long[] {t},
                                        padded).squeeze(0);
                                assertClose("switch " + p + "v_cond (low)", cond, expected, 1e-5);
                                assertThat(Torch.maxAbsDiff(cond, golden.read(p + "v_cond")))
                                        .as(p + "differs from the high-noise expert").isGreaterThan(1e-2);
                            }
                        });
                assertThat(scheduler.timesteps()).containsExactly(timesteps);
                assertThat(loadsSeen).containsExactly("high", "low");
                assertThat(loadedPerStep).containsOnly(1);
                assertThat(experts.isHighNoise(BOUNDARY)).isTrue();
                assertThat(experts.isHighNoise(BOUNDARY - 1)).isFalse();
            }
        }
    }
}
