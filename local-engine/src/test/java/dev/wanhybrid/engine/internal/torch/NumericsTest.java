package dev.wanhybrid.engine.internal.torch;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The convolution path the engine runs, swept over input channel counts (20, 24 and 40 among them, the counts
 * libtorch 2.10's oneDNN float32 conv2d got wrong on an AVX-512 CPU) at batch 1 and 2, against float64.
 */
class NumericsTest {

    private static final Device CPU = new Device(torch.kCPU());

    @BeforeAll
    static void engineSettings() {
        Torch.configureThreads(Integer.getInteger("engine.threads", 2));
    }

    @Test
    void theEnginesChoiceIsOneDnnOffAndAgreesWithFloat64OnEverySweptShape() {
        assertThat(Numerics.oneDnnEnabled()).isFalse();
        Numerics.Report report = Numerics.check(CPU, Numerics.defaultTolerance(CPU));
        System.out.println("engine path: " + report.summary());
        assertThat(Numerics.CONV_CHANNELS).contains(20, 24, 40);
        assertThat(report.cases()).isGreaterThanOrEqualTo(2 * Numerics.CONV_CHANNELS.length + 5);
        assertThat(report.ok()).as(report.summary()).isTrue();
        assertThat(report.worstRelativeError()).isLessThan(1e-5);
    }

    @Test
    void aDisagreementIsReportedWithTheCaseThatFailed() {
        // No float32 result equals float64 exactly: a zero tolerance must fail, naming the worst case.
        Numerics.Report report = Numerics.check(CPU, 0.0);
        assertThat(report.ok()).isFalse();
        assertThat(report.summary()).startsWith("DISAGREES").contains(report.worstCase());
    }
}
