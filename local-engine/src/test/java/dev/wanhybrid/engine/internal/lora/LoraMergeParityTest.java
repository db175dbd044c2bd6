package dev.wanhybrid.engine.internal.lora;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** LoRA merged at load against {@code golden/lora_dit} (the official ti2v DiT case with the LoRA merged). */
public class LoraMergeParityTest {

    private static ComponentWeights weights;
    private static WanTransformerConfig config;
    private static Path loraFile;

    @BeforeAll
    static void open() {
        Path root = Fixtures.wan22();
        config = WanTransformerConfig.read(root.resolve("transformer/config.json"),
                FixtureSets.of(root).textLength());
        weights = ComponentWeights.open(root.resolve("transformer"));
        loraFile = root.resolve("lora/pytorch_lora_weights.safetensors");
    }

    @AfterAll
    static void close() {
        weights.close();
    }

    static Stream<Arguments> cases() {
        return FixtureSets.wan22().stream().flatMap(s -> Stream.of(Arguments.of(s, 1.0), Arguments.of(s, 0.5)));
    }

    @ParameterizedTest(name = "{0} scale {1}")
    @MethodSource("cases")
    void mergedLoraMatchesOfficialMergedForward(FixtureSets.Set set, double scale) {
        check(set, scale);
    }

    /** The set's LoRA merged at {@code scale} into its DiT against the official merged forward. */
    public static void check(FixtureSets.Set set, double scale) {
        WanTransformerConfig config = WanTransformerConfig.read(set.resolve("transformer/config.json"),
                set.textLength());
        LoraAdapter adapter = LoraAdapter.read("fixture", set.resolve("lora/pytorch_lora_weights.safetensors"), scale);
        assertThat(adapter.updates()).as("one update per block and projection").hasSize(config.layers() * 10);
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("transformer"));
                SafetensorsFile golden = Fixtures.golden(set.root(), "lora_dit");
                WanTransformer model = WanTransformer.load(config, new LoraMergingWeights(weights, List.of(adapter)),
                        DType.F32)) {
            Tensor out = forward(model, golden);
            assertClose(set + " lora scale " + scale, out, golden.read("out_scale" + scale), COMPONENT);
            assertThat(Torch.maxAbsDiff(out, golden.read("out_no_lora"))).as("the LoRA changes the output")
                    .isGreaterThan(1e-2);
        }
    }

    @Test
    void mergedWeightIsBasePlusUpTimesDownAndBiasesAreUnchanged() {
        LoraAdapter adapter = LoraAdapter.read("fixture", loraFile, 1.0);
        Map<String, Tensor> merged = new LoraMergingWeights(weights, List.of(adapter))
                .load(WanTransformer.expectedShapes(config), n -> false, n -> DType.F32, null);
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "lora_dit")) {
            assertClose("lora merged to_q", merged.get("blocks.0.attn1.to_q.weight"),
                    golden.read("merged.blocks.0.attn1.to_q.weight"), 1e-6);
        }
        assertThat(Torch.maxAbsDiff(merged.get("blocks.0.attn1.to_q.bias"),
                weights.read("blocks.0.attn1.to_q.bias", DType.F32))).isZero();
        merged.values().forEach(Tensor::close);
    }

    @Test
    void twoFilesAddTheirScaledUpdates() {
        // Two halves of the same LoRA equal the whole LoRA at scale 1.
        List<LoraAdapter> halves = List.of(LoraAdapter.read("a", loraFile, 0.5), LoraAdapter.read("b", loraFile, 0.5));
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "lora_dit");
                WanTransformer model = WanTransformer.load(config, new LoraMergingWeights(weights, halves),
                        DType.F32)) {
            assertClose("lora 0.5 + 0.5", forward(model, golden), golden.read("out_scale1.0"), COMPONENT);
        }
    }

    @Test
    void loraForAnotherModelIsRejectedNamingTheTensor() {
        LoraAdapter adapter = LoraAdapter.read("fixture", loraFile, 1.0);
        Map<String, long[]> smaller = Map.of("blocks.0.attn1.to_q.weight", new long[] {32, 32});
        assertThatThrownBy(() -> new LoraMergingWeights(weights, List.of(adapter))
                .load(smaller, n -> false, n -> DType.F32, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocks.0.attn1.to_q.weight");
    }

    private static Tensor forward(WanTransformer model, SafetensorsFile golden) {
        float[] t = Torch.toFloats(golden.read("input.t"));
        double[][] times = new double[1][t.length];
        for (int i = 0; i < t.length; i++) {
            times[0][i] = t[i];
        }
        return model.forwardPerToken(golden.read("input.x").unsqueeze(0), times,
                golden.read("input.context").unsqueeze(0), (n, v) -> {}).squeeze(0);
    }
}
