package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import java.math.BigDecimal;
import java.util.Objects;

/** Marginal and fully loaded cost of a local video, from the fleet's economics and the throughput model. */
public final class LocalCostModel {

    /** Below this utilization the fixed share per video is computed at this floor instead of going to infinity. */
    public static final double MIN_UTILIZATION = 0.01;

    private final GpuFleet fleet;
    private final ThroughputModel throughput;

    public LocalCostModel(GpuFleet fleet, ThroughputModel throughput) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.throughput = Objects.requireNonNull(throughput, "throughput");
    }

    public GpuFleet fleet() {
        return fleet;
    }

    public ThroughputModel throughput() {
        return throughput;
    }

    public double gpuSeconds(VideoJob job) {
        return throughput.gpuSeconds(job, fleet.gpu());
    }

    /** Marginal cost of running {@code gpuSeconds} of work. */
    public Money marginal(double gpuSeconds) {
        return fleet.marginalCostPerGpuSecond().times(BigDecimal.valueOf(gpuSeconds));
    }

    /**
     * Both costs of one job at the fleet's current utilization (busy GPU-seconds over available GPU-seconds,
     * between 0 and 1): the fixed cost is shared by the work the fleet actually does.
     */
    public LocalCost cost(VideoJob job, double utilization) {
        double seconds = gpuSeconds(job);
        Money marginal = marginal(seconds);
        double u = Math.max(MIN_UTILIZATION, Math.min(1.0, utilization));
        // One division at the end keeps the share exact to 10 decimals (2.40/h x 96 s is 0.064, not 0.0640000000320).
        Money fixedShare = fleet.count() == 0
                ? Money.zero(fleet.currency())
                : fleet.fixedCostPerYear().times(BigDecimal.valueOf(seconds)).dividedBy(
                        GpuFleet.SECONDS_PER_YEAR.multiply(BigDecimal.valueOf(fleet.count()))
                                .multiply(BigDecimal.valueOf(u)), 10);
        Money fully = marginal.plus(fixedShare);
        return new LocalCost(seconds, marginal, fully, u, utilization >= 1.0);
    }

    /** Videos of this shape the fleet can make in a month at the given target utilization. */
    public BigDecimal capacityPerMonth(VideoJob job, double targetUtilization) {
        double seconds = gpuSeconds(job);
        return fleet.gpuSecondsPerMonth().multiply(BigDecimal.valueOf(targetUtilization))
                .divide(BigDecimal.valueOf(seconds), 0, java.math.RoundingMode.FLOOR);
    }
}
