package dev.wanhybrid.engine.internal.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The GPU precision layout (bf16 matmuls, float32 residual stream) exercised on the CPU. */
class WanTransformerBf16Test {

    @Test
    void bf16ComputeStaysWithinBf16RoundingOfTheFloat32Reference() {
        WanTransformerConfig config = WanTransformerConfig.read(Fixtures.wan21().resolve("transformer/config.json"),
                dev.wanhybrid.engine.FixtureSets.of(Fixtures.wan21()).textLength());
        try (ComponentWeights weights = ComponentWeights.open(Fixtures.wan21().resolve("transformer"));
                WanTransformer model = WanTransformer.load(config, weights, DType.BF16);
                SafetensorsFile golden = Fixtures.golden("dit_forward")) {
            Tensor out = model.forward(golden.read("case0.x").unsqueeze(0), Torch.toLongs(golden.read("case0.t")),
                    golden.read("case0.context").unsqueeze(0)).squeeze(0);
            Tensor expected = golden.read("case0.out");
            assertThat(out.scalar_type().toString()).isEqualTo(ScalarType.Float.toString());
            double scale = expected.abs().max().item().toDouble();
            double maxDiff = Torch.maxAbsDiff(out, expected);
            System.out.printf("bf16 dit case0 max|diff| %.3e, max|ref| %.3f%n", maxDiff, scale);
            // bf16 keeps 8 bits of mantissa (relative step 2^-8 = 0.4%); a few percent of the output range after two
            // blocks is rounding, a mapping or dtype mistake would be of the order of the output itself.
            assertThat(maxDiff).isLessThan(0.05 * scale);
            assertThat(maxDiff).isGreaterThan(0.0);
        }
    }
}
