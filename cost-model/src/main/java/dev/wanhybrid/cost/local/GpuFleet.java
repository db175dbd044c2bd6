package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * The local GPUs: type, count and how they are paid for, with the fixed cost per period and the marginal
 * (energy) cost per GPU-second that follow. A year here is 365 days, a month a twelfth of it.
 *
 * @param gpu GPU type, a key of the throughput model's speed table (e.g. {@code h100})
 * @param count number of GPUs, each running one job at a time
 * @param cost how the GPUs are paid for
 */
public record GpuFleet(String gpu, int count, FleetCost cost) {

    public static final BigDecimal HOURS_PER_YEAR = BigDecimal.valueOf(8760);
    public static final BigDecimal SECONDS_PER_YEAR = BigDecimal.valueOf(8760L * 3600);
    public static final BigDecimal SECONDS_PER_MONTH = SECONDS_PER_YEAR.divide(BigDecimal.valueOf(12));
    private static final BigDecimal TWELVE = BigDecimal.valueOf(12);
    private static final BigDecimal WATT_SECONDS_PER_KWH = BigDecimal.valueOf(3_600_000);

    public GpuFleet {
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(cost, "cost");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
    }

    public GpuFleet withCount(int newCount) {
        return new GpuFleet(gpu, newCount, cost);
    }

    public Currency currency() {
        return switch (cost) {
            case FleetCost.Rented r -> r.hourlyPerGpu().currency();
            case FleetCost.Owned o -> o.capexPerGpu().currency();
        };
    }

    /** What the fleet costs per year whether it works or not. */
    public Money fixedCostPerYear() {
        return perGpuFixedCostPerYear().times(count).plus(sharedFixedCostPerYear());
    }

    /** The part of the fixed cost that comes with each GPU: rent, or write-off plus idle power. */
    public Money perGpuFixedCostPerYear() {
        return switch (cost) {
            case FleetCost.Rented r -> r.hourlyPerGpu().times(HOURS_PER_YEAR);
            case FleetCost.Owned o -> {
                Money capex = o.capexPerGpu().dividedBy(o.amortizationYears(), 10);
                // Idle draw is paid around the clock; the extra draw while busy is the marginal cost below.
                BigDecimal idleKwhPerYear = o.idleWattsPerGpu().multiply(HOURS_PER_YEAR).multiply(o.pue())
                        .divide(BigDecimal.valueOf(1000));
                yield capex.plus(o.energyPerKwh().times(idleKwhPerYear));
            }
        };
    }

    /** The part of the fixed cost that does not shrink with fewer GPUs: staff and overhead of an owned fleet. */
    public Money sharedFixedCostPerYear() {
        return switch (cost) {
            case FleetCost.Rented r -> Money.zero(r.hourlyPerGpu().currency());
            case FleetCost.Owned o -> o.opsStaffPerYear().plus(o.overheadPerYear());
        };
    }

    public Money fixedCostPerMonth() {
        return fixedCostPerYear().dividedBy(TWELVE, 10);
    }

    /** What one more GPU-second of work adds: the energy above idle for an owned fleet, nothing for a rented one. */
    public Money marginalCostPerGpuSecond() {
        return switch (cost) {
            case FleetCost.Rented r -> Money.zero(r.hourlyPerGpu().currency());
            case FleetCost.Owned o -> o.energyPerKwh().times(
                    o.busyWattsPerGpu().subtract(o.idleWattsPerGpu()).multiply(o.pue())
                            .divide(WATT_SECONDS_PER_KWH, 12, RoundingMode.HALF_EVEN));
        };
    }

    /** GPU-seconds the whole fleet has in a month. */
    public BigDecimal gpuSecondsPerMonth() {
        return SECONDS_PER_MONTH.multiply(BigDecimal.valueOf(count));
    }
}
