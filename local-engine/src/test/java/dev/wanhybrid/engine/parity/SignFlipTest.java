package dev.wanhybrid.engine.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.internal.dit.WanTransformerParityTest;
import dev.wanhybrid.engine.internal.dit.WanTransformerWan22ParityTest;
import dev.wanhybrid.engine.internal.lora.LoraMergeParityTest;
import dev.wanhybrid.engine.internal.pipeline.Wan22PipelineParityTest;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipelineParityTest;
import dev.wanhybrid.engine.internal.sampling.FlowSchedulerParityTest;
import dev.wanhybrid.engine.internal.text.UmT5EncoderParityTest;
import dev.wanhybrid.engine.internal.vae.Wan22VaeParityTest;
import dev.wanhybrid.engine.internal.vae.WanVaeParityTest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parity checks can fail: each one, run through the very code the parity tests use, rejects a copy of a golden
 * set whose golden outputs are negated (inputs, settings and weights unchanged), with the numeric comparison as
 * the failing assertion. The smallest set of each generation is flipped (every set goes through the same checks).
 */
class SignFlipTest {

    @TempDir
    Path temp;

    @Test
    void everyWan21ParityCheckRejectsSignFlippedGoldens() throws Exception {
        FixtureSets.Set set = FixtureSets.smallest(FixtureSets.wan21());
        FixtureSets.Set flipped = FixtureSets.signFlipped(set, temp.resolve(set.name() + "-flipped"));
        Map<String, ThrowingCallable> checks = new LinkedHashMap<>();
        checks.put("dit case0", () -> WanTransformerParityTest.check(flipped, 0));
        checks.put("dit case1", () -> WanTransformerParityTest.check(flipped, 1));
        checks.put("t5", () -> UmT5EncoderParityTest.checkWan21(flipped));
        checks.put("vae decode", () -> WanVaeParityTest.checkDecode(flipped));
        checks.put("vae encode", () -> WanVaeParityTest.checkEncode(flipped));
        checks.put("unipc", () -> FlowSchedulerParityTest.checkWan21(flipped));
        checks.put("e2e", () -> WanT2vPipelineParityTest.check(flipped, true));
        expectRejected(checks);
        // The unflipped set passes the same checks: it is the flip that they reject.
        WanTransformerParityTest.check(set, 0);
        FlowSchedulerParityTest.checkWan21(set);
    }

    @Test
    void everyWan22ParityCheckRejectsSignFlippedGoldens() throws Exception {
        FixtureSets.Set set = FixtureSets.smallest(FixtureSets.wan22());
        FixtureSets.Set flipped = FixtureSets.signFlipped(set, temp.resolve(set.name() + "-flipped"));
        Map<String, ThrowingCallable> checks = new LinkedHashMap<>();
        for (String c : new String[] {"t2v", "ti2v", "t1d"}) {
            checks.put("dit " + c, () -> WanTransformerWan22ParityTest.check(flipped, c));
        }
        checks.put("t5", () -> UmT5EncoderParityTest.checkWan22(flipped));
        checks.put("lora 1.0", () -> LoraMergeParityTest.check(flipped, 1.0));
        checks.put("lora 0.5", () -> LoraMergeParityTest.check(flipped, 0.5));
        checks.put("unipc e2e steps", () -> FlowSchedulerParityTest.checkWan22(flipped, flipped.steps()));
        checks.put("unipc 50 steps", () -> FlowSchedulerParityTest.checkWan22(flipped, 50));
        checks.put("vae decode", () -> Wan22VaeParityTest.with(flipped, v -> Wan22VaeParityTest.checkDecode(flipped, v)));
        checks.put("vae encode", () -> Wan22VaeParityTest.with(flipped, v -> Wan22VaeParityTest.checkEncode(flipped, v)));
        checks.put("vae image", () -> Wan22VaeParityTest.with(flipped, v -> Wan22VaeParityTest.checkImage(flipped, v)));
        checks.put("t2v e2e", () -> Wan22PipelineParityTest.with(flipped, p -> Wan22PipelineParityTest.checkT2v(flipped, p)));
        checks.put("i2v e2e", () -> Wan22PipelineParityTest.with(flipped, p -> Wan22PipelineParityTest.checkI2v(flipped, p)));
        expectRejected(checks);
        WanTransformerWan22ParityTest.check(set, "ti2v");
    }

    private static void expectRejected(Map<String, ThrowingCallable> checks) {
        for (var check : checks.entrySet()) {
            assertThatThrownBy(check.getValue()).as(check.getKey() + " on sign-flipped goldens")
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("max abs diff");
        }
        assertThat(checks).isNotEmpty();
    }
}
