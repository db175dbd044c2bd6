package dev.wanhybrid.engine.internal.sampling;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.List;
import java.util.stream.Stream;

public class FlowSchedulerParityTest {

    static List<FixtureSets.Set> wan21() {
        return FixtureSets.wan21();
    }

    static Stream<Arguments> wan22Traces() {
        // Each Wan 2.2 set traces its own e2e step count and the official default of 50, at its own shift.
        return FixtureSets.wan22().stream().flatMap(s -> Stream.of(Arguments.of(s, s.steps()), Arguments.of(s, 50)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wan21")
    void gridMatchesWansShiftedTimestepsAndSigmas(FixtureSets.Set set) {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "scheduler_unipc")) {
            long[] timesteps = Torch.toLongs(golden.read("timesteps"));
            assertThat(timesteps).hasSize(set.steps());
            FlowGrid grid = FlowGrid.wan(timesteps.length, set.shift(), 1000);
            assertThat(grid.timesteps()).containsExactly(timesteps);
            float[] sigmas = Torch.toFloats(golden.read("sigmas"));
            for (int i = 0; i < sigmas.length; i++) {
                assertThat((float) grid.sigmas()[i]).as("sigma " + i).isEqualTo(sigmas[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wan21")
    void uniPcTraceMatchesOfficialSchedulerStepByStep(FixtureSets.Set set) {
        checkWan21(set);
    }

    /** Wan's UniPC trace of a Wan 2.1 set (stored model outputs, the set's steps and shift), step by step. */
    public static void checkWan21(FixtureSets.Set set) {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "scheduler_unipc")) {
            long[] orders = Torch.toLongs(golden.read("this_order"));
            long[] corrected = Torch.toLongs(golden.read("corrector_used"));
            int steps = orders.length;
            try (FlowUniPcScheduler scheduler = new FlowUniPcScheduler(FlowGrid.wan(steps, set.shift(), 1000))) {
                Tensor sample = golden.read("sample_in");
                for (int i = 0; i < steps; i++) {
                    sample = scheduler.step(golden.read("model_output." + i), sample);
                    assertThat(scheduler.lastOrder()).as("order at step " + i).isEqualTo(orders[i]);
                    assertThat(scheduler.lastStepCorrected()).as("corrector at step " + i)
                            .isEqualTo(corrected[i] == 1);
                    assertClose(set + " unipc sample." + i, sample, golden.read("sample." + i), COMPONENT);
                }
            }
        }
    }

    /** Wan 2.2 ships the same scheduler; its sets trace their e2e step count and the official default of 50. */
    @ParameterizedTest(name = "{0}: {1} steps")
    @MethodSource("wan22Traces")
    void uniPcMatchesOfficialTraceAtTheSetsShift(FixtureSets.Set set, int steps) {
        checkWan22(set, steps);
    }

    public static void checkWan22(FixtureSets.Set set, int steps) {
        String p = "n" + steps + ".";
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "scheduler_unipc");
                FlowUniPcScheduler scheduler = new FlowUniPcScheduler(FlowGrid.wan(steps, set.shift(), 1000))) {
            assertThat(scheduler.timesteps()).containsExactly(Torch.toLongs(golden.read(p + "timesteps")));
            long[] orders = Torch.toLongs(golden.read(p + "orders"));
            Tensor outputs = golden.read(p + "model_outputs");
            Tensor expected = golden.read(p + "prev_samples");
            Tensor sample = golden.read(p + "sample0");
            for (int i = 0; i < steps; i++) {
                sample = scheduler.step(outputs.select(0, i), sample);
                assertThat(scheduler.lastOrder()).as("order at step " + i).isEqualTo(orders[i]);
                assertClose(set + " unipc shift " + set.shift() + " " + p + "step " + i, sample,
                        expected.select(0, i), COMPONENT);
            }
        }
    }

    @Test
    void eulerIntegratesAConstantFlowExactly() {
        // With a constant velocity v the flow ODE from sigma 1 to 0 moves x by exactly -sigma_0 * v.
        FlowScheduler euler = FlowScheduler.create("euler", 7, 5.0);
        Tensor v = Torch.fromFloats(new float[] {0.5f, -2f, 3f}, 3);
        Tensor x = Torch.fromFloats(new float[] {1f, 1f, 1f}, 3);
        for (int i = 0; i < 7; i++) {
            x = euler.step(v, x);
        }
        float[] out = Torch.toFloats(x);
        double s0 = euler.sigmas()[0];
        assertThat(out[0]).isCloseTo((float) (1 - s0 * 0.5), within(1e-5f));
        assertThat(out[1]).isCloseTo((float) (1 + s0 * 2), within(1e-5f));
        assertThat(euler.stepIndex()).isEqualTo(7);
    }

    @Test
    void officialDefaultGridStartsAt999AndEndsAtZero() {
        FlowGrid grid = FlowGrid.wan(50, 5.0, 1000);
        assertThat(grid.timesteps()).hasSize(50);
        assertThat(grid.timesteps()[0]).isEqualTo(999);
        assertThat(grid.sigmas()[50]).isZero();
        for (int i = 1; i < 50; i++) {
            assertThat(grid.timesteps()[i]).isLessThan(grid.timesteps()[i - 1]);
        }
    }
}
