package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ServiceTimeModelTest {

    private static LocalCostModel rtx4090s() {
        return new LocalCostModel(new GpuFleet("rtx4090", 4, new FleetCost.Owned(Money.usd("3000"), new BigDecimal("3"),
                new BigDecimal("450"), new BigDecimal("80"), Money.usd("0.15"), new BigDecimal("1.3"), Money.usd("0"),
                Money.usd("0"))), LocalConfigLoader.defaultThroughput());
    }

    @Test
    void localTimeComesFromTheThroughputModelNotTheCatalog() {
        ServiceTimeModel times = ServiceTimeModel.withDefaults(rtx4090s());

        // The catalog says 7 min per output second for the 14B model at 720p (2,100 s for 5 s); the model says:
        ServiceTime t = times.estimate("wan2.1-t2v-14b", 1280, 720, 5);

        assertThat(t.expectedSeconds()).isCloseTo(2600.0 * (1280.0 * 720) / (832.0 * 480), within(1e-6));
        assertThat(times.estimate("wan2.1-t2v-1.3b", 832, 480, 5).expectedSeconds()).isCloseTo(240, within(1e-9));
    }

    @Test
    void beforeMeasurementsTheMarginIsThePriorSpreadTimesTheRisk() {
        ServiceTime t = new ServiceTimeModel(rtx4090s(), 2, 0.15).estimate("wan2.1-t2v-1.3b", 832, 480, 5);

        assertThat(t.pessimisticSeconds()).isCloseTo(240 * Math.exp(0.30), within(1e-9));
        assertThat(new ServiceTimeModel(rtx4090s(), 0, 0.15).estimate("wan2.1-t2v-1.3b", 832, 480, 5).margin())
                .as("risk 0 plans with the bare prediction").isZero();
    }

    @Test
    void measuredRunsMoveThePredictionAndSetTheMargin() {
        LocalCostModel local = rtx4090s();
        ServiceTimeModel times = new ServiceTimeModel(local, 2, 0.15);
        VideoJob clip = VideoJob.of("wan2.1-t2v-1.3b", 832, 480, 5, false);
        SplittableRandom r = new SplittableRandom(3);
        // The engine runs 25 % slower than published, scattering about 5 %.
        for (int i = 0; i < 200; i++) {
            local.throughput().recordMeasured(clip, "rtx4090", 300 * Math.exp(0.05 * r.nextGaussian()));
        }

        ServiceTime t = times.estimate("wan2.1-t2v-1.3b", 832, 480, 5);

        assertThat(t.expectedSeconds()).isCloseTo(300, within(15.0));
        assertThat(times.spread("wan2.1-t2v-1.3b")).isBetween(0.02, 0.09);
        assertThat(t.margin()).as("a tight engine earns a tighter margin than the prior").isLessThan(Math.exp(0.30) - 1);
    }

    @Test
    void theRiskSettingIsCheckedWhereItIsGiven() {
        assertThatThrownBy(() -> new ServiceTimeModel(rtx4090s(), -1, 0.15)).hasMessageContaining("risk");
    }
}
