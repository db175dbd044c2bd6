package dev.wanhybrid.cost.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalCostModelTest {

    private static final VideoJob SMALL = VideoJob.of("wan2.1-t2v-1.3b", 832, 480, 5, false);

    @Test
    void publishedFigureIsReproducedOnTheReferenceGpu() {
        ThroughputModel model = LocalConfigLoader.defaultThroughput();

        assertThat(model.gpuSeconds(SMALL, "rtx4090")).isCloseTo(240.0, within(1e-9));
    }

    @Test
    void workScalesWithPixelsFramesAndStepsAndGpuSpeed() {
        ThroughputModel model = LocalConfigLoader.defaultThroughput();

        double tenSeconds = model.gpuSeconds(VideoJob.of("wan2.1-t2v-1.3b", 832, 480, 10, false), "rtx4090");
        double twentyFiveSteps = model.gpuSeconds(new VideoJob("wan2.1-t2v-1.3b", 832, 480, 5, false, 25), "rtx4090");
        double onH100 = model.gpuSeconds(SMALL, "h100");

        assertThat(tenSeconds).isCloseTo(240.0 * 161 / 81, within(1e-9));
        assertThat(twentyFiveSteps).isCloseTo(120.0, within(1e-9));
        assertThat(onH100).isCloseTo(240.0 / 2.5, within(1e-9));
    }

    @Test
    void measuredRunsPullThePredictionTowardReality() {
        ThroughputModel model = LocalConfigLoader.defaultThroughput();

        for (int i = 0; i < 40; i++) {
            model.recordMeasured(SMALL, "h100", 150.0);
        }

        assertThat(model.gpuSeconds(SMALL, "h100")).isCloseTo(150.0, within(0.5));
        assertThat(model.correction("wan2.1-t2v-1.3b").samples()).isEqualTo(40);
        assertThat(model.gpuSeconds(SMALL, "rtx4090")).as("the correction is per model, on every GPU")
                .isCloseTo(240.0 * 150.0 / 96.0, within(1.0));
    }

    @Test
    void aRentedFleetCarriesItsStaffAndOverheadAndItemsAddUpToTheFixedCost() {
        GpuFleet fleet = new GpuFleet("a100", 4, new FleetCost.Rented(Money.usd("2.00"), Money.usd("150000"),
                Money.usd("5000")));

        // 4 x 2.00 x 8,760 + 150,000 + 5,000
        assertThat(fleet.fixedCostPerYear().rounded()).isEqualTo(Money.usd("225080.00"));
        assertThat(fleet.fixedCostItemsPerYear().values().stream().reduce(Money.usd("0"), Money::plus).rounded())
                .isEqualTo(fleet.fixedCostPerYear().rounded());
        assertThat(fleet.marginalCostPerGpuSecond().amount()).isZero();
    }

    @Test
    void ownedFleetSplitsIdlePowerIntoFixedAndBusyPowerIntoMarginal() {
        GpuFleet fleet = new GpuFleet("h100", 2, new FleetCost.Owned(Money.usd("20000"), new BigDecimal("4"),
                new BigDecimal("700"), new BigDecimal("100"), Money.usd("0.10"), new BigDecimal("1.5"),
                Money.usd("10000"), Money.usd("2000")));

        // 2 x 5,000 write-off + 2 x 0.1 kW x 8,760 h x 1.5 x 0.10 + 10,000 + 2,000
        assertThat(fleet.fixedCostPerYear().rounded()).isEqualTo(Money.usd("22262.80"));
        // (700 - 100) W x 1.5 / 3.6e6 x 0.10 per second
        assertThat(fleet.marginalCostPerGpuSecond().amount()).isEqualByComparingTo("0.000025");
    }

    @Test
    void fullyLoadedCostFallsAsUtilizationRises() {
        GpuFleet fleet = new GpuFleet("h100", 1, new FleetCost.Rented(Money.usd("2.40")));
        LocalCostModel model = new LocalCostModel(fleet, LocalConfigLoader.defaultThroughput());

        LocalCost half = model.cost(SMALL, 0.5);
        LocalCost full = model.cost(SMALL, 1.0);

        assertThat(half.marginal().isZero()).as("a rented GPU that is on anyway adds nothing per video").isTrue();
        // 96 GPU-s at 2.40/h is 0.064 fully busy, twice that at half utilization
        assertThat(full.fullyLoaded().rounded()).isEqualTo(Money.usd("0.06"));
        assertThat(full.fullyLoaded().amount()).isEqualByComparingTo("0.064");
        assertThat(half.fullyLoaded().amount()).isEqualByComparingTo("0.128");
        assertThat(full.saturated()).isTrue();
        assertThat(half.saturated()).isFalse();
    }

    @Test
    void capacityCountsWholeVideosAtTheTargetUtilization() {
        GpuFleet fleet = new GpuFleet("h100", 8, new FleetCost.Rented(Money.usd("2.40")));
        LocalCostModel model = new LocalCostModel(fleet, new ThroughputModel(
                LocalConfigLoader.defaultThroughput().seeds(), Map.of("rtx4090", 1.0, "h100", 2.5), 0.2));

        // 8 GPUs x 2,628,000 s a month x 0.8 / 96 s
        assertThat(model.capacityPerMonth(SMALL, 0.8)).isEqualByComparingTo("175200");
    }
}
