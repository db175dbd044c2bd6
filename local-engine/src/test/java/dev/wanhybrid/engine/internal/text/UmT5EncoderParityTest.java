package dev.wanhybrid.engine.internal.text;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

public class UmT5EncoderParityTest {

    static java.util.List<FixtureSets.Set> wan21() {
        return FixtureSets.wan21();
    }

    static java.util.List<FixtureSets.Set> wan22() {
        return FixtureSets.wan22();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wan21")
    void encoderMatchesOfficialT5HiddenStatesAndEveryBlock(FixtureSets.Set set) {
        checkWan21(set);
    }

    /** The umT5 encoder against the set's {@code t5_encoder} golden, every block and the trimmed contexts. */
    public static void checkWan21(FixtureSets.Set set) {
        UmT5Config config = UmT5Config.read(set.resolve("text_encoder/config.json"));
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("text_encoder"));
                UmT5Encoder encoder = UmT5Encoder.load(config, weights, DType.F32);
                SafetensorsFile golden = Fixtures.golden(set.root(), "t5_encoder")) {
            Map<String, Tensor> probes = new HashMap<>();
            Tensor hidden = encoder.encode(golden.read("input_ids"), golden.read("attention_mask"),
                    (name, t) -> probes.put(name, t.clone()));

            assertClose(set + " t5 token_embedding", probes.get("token_embedding"), golden.read("dbg.token_embedding"), COMPONENT);
            for (int i = 0; i < config.layers(); i++) {
                assertClose(set + " t5 blocks." + i + ".rel_pos_bias", probes.get("blocks." + i + ".rel_pos_bias"),
                        golden.read("dbg.blocks." + i + ".rel_pos_bias"), COMPONENT);
                assertClose(set + " t5 blocks." + i + ".out", probes.get("blocks." + i + ".out"),
                        golden.read("dbg.blocks." + i + ".out"), COMPONENT);
            }
            assertClose(set + " t5 last_hidden_state", hidden, golden.read("last_hidden_state"), COMPONENT);
            // The official T5EncoderModel returns each row trimmed to its real length.
            long[] lengths = dev.wanhybrid.engine.internal.torch.Torch.toLongs(golden.read("attention_mask").sum(
                    new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
            for (int row = 0; row < lengths.length; row++) {
                assertClose(set + " t5 context." + row, hidden.select(0, row).narrow(0, 0, lengths[row]),
                        golden.read("context." + row), COMPONENT);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wan22")
    void encoderMatchesTheWan22FixturesPromptsAndNegativePrompt(FixtureSets.Set set) {
        checkWan22(set);
    }

    /** The umT5 encoder against the Wan 2.2 set's prompts and negative prompt, every block. */
    public static void checkWan22(FixtureSets.Set set) {
        UmT5Config config = UmT5Config.read(set.resolve("text_encoder/config.json"));
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("text_encoder"));
                UmT5Encoder encoder = UmT5Encoder.load(config, weights, DType.F32);
                SafetensorsFile golden = Fixtures.golden(set.root(), "t5_encoder")) {
            Map<String, Tensor> probes = new HashMap<>();
            Tensor hidden = encoder.encode(golden.read("input.ids"), golden.read("input.mask"),
                    (name, t) -> probes.put(name, t.clone()));
            assertClose(set + " t5 (wan22) embed", probes.get("token_embedding"), golden.read("inter.embed"), COMPONENT);
            for (int i = 0; i < config.layers(); i++) {
                assertClose(set + " t5 (wan22) block" + i, probes.get("blocks." + i + ".out"),
                        golden.read("inter.block" + i), COMPONENT);
            }
            assertClose(set + " t5 (wan22) output.full", hidden, golden.read("output.full"), COMPONENT);
        }
    }

    @Test
    void bf16EncoderAsOnTheGpuStaysWithinBf16Rounding() {
        UmT5Config config = UmT5Config.read(Fixtures.wan21().resolve("text_encoder/config.json"));
        try (ComponentWeights weights = ComponentWeights.open(Fixtures.wan21().resolve("text_encoder"));
                UmT5Encoder encoder = UmT5Encoder.load(config, weights, DType.BF16);
                SafetensorsFile golden = Fixtures.golden("t5_encoder")) {
            Tensor hidden = encoder.encode(golden.read("input_ids"), golden.read("attention_mask"));
            Tensor expected = golden.read("last_hidden_state");
            double scale = expected.abs().max().item().toDouble();
            double diff = dev.wanhybrid.engine.internal.torch.Torch.maxAbsDiff(hidden, expected);
            System.out.printf("bf16 t5 max|diff| %.3e, max|ref| %.3f%n", diff, scale);
            // Padding is masked with bf16's own lowest value, as torch.finfo(dtype).min upstream; nothing may overflow.
            org.assertj.core.api.Assertions.assertThat(hidden.isnan().any().item().toBool()).isFalse();
            org.assertj.core.api.Assertions.assertThat(diff).isLessThan(0.05 * scale);
        }
    }
}
