package dev.wanhybrid.engine.internal.sampling;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class FlowSchedulerParityTest {

    @Test
    void gridMatchesWansShiftedTimestepsAndSigmas() {
        try (SafetensorsFile golden = Fixtures.golden("scheduler_unipc")) {
            FlowGrid grid = FlowGrid.wan(5, 3.0, 1000);
            assertThat(grid.timesteps()).containsExactly(Torch.toLongs(golden.read("timesteps")));
            float[] sigmas = Torch.toFloats(golden.read("sigmas"));
            for (int i = 0; i < sigmas.length; i++) {
                assertThat((float) grid.sigmas()[i]).as("sigma " + i).isEqualTo(sigmas[i]);
            }
        }
    }

    @Test
    void uniPcTraceMatchesOfficialSchedulerStepByStep() {
        try (SafetensorsFile golden = Fixtures.golden("scheduler_unipc");
                FlowUniPcScheduler scheduler = new FlowUniPcScheduler(FlowGrid.wan(5, 3.0, 1000))) {
            long[] orders = Torch.toLongs(golden.read("this_order"));
            long[] corrected = Torch.toLongs(golden.read("corrector_used"));
            Tensor sample = golden.read("sample_in");
            for (int i = 0; i < 5; i++) {
                sample = scheduler.step(golden.read("model_output." + i), sample);
                assertThat(scheduler.lastOrder()).as("order at step " + i).isEqualTo(orders[i]);
                assertThat(scheduler.lastStepCorrected()).as("corrector at step " + i).isEqualTo(corrected[i] == 1);
                assertClose("unipc sample." + i, sample, golden.read("sample." + i), COMPONENT);
            }
        }
    }

    /** Wan 2.2 ships the same scheduler; its fixtures trace the official default of 50 steps at shift 5. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} steps")
    @org.junit.jupiter.params.provider.ValueSource(ints = {4, 50})
    void uniPcMatchesOfficialTraceAtShiftFive(int steps) {
        String p = "n" + steps + ".";
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "scheduler_unipc");
                FlowUniPcScheduler scheduler = new FlowUniPcScheduler(FlowGrid.wan(steps, 5.0, 1000))) {
            assertThat(scheduler.timesteps()).containsExactly(Torch.toLongs(golden.read(p + "timesteps")));
            long[] orders = Torch.toLongs(golden.read(p + "orders"));
            Tensor outputs = golden.read(p + "model_outputs");
            Tensor expected = golden.read(p + "prev_samples");
            Tensor sample = golden.read(p + "sample0");
            double worst = 0;
            for (int i = 0; i < steps; i++) {
                sample = scheduler.step(outputs.select(0, i), sample);
                assertThat(scheduler.lastOrder()).as("order at step " + i).isEqualTo(orders[i]);
                worst = Math.max(worst, Torch.maxAbsDiff(sample, expected.select(0, i)));
            }
            System.out.printf("parity unipc shift 5, %d steps: worst step max|diff| %.3e%n", steps, worst);
            assertThat(worst).isLessThanOrEqualTo(COMPONENT);
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
