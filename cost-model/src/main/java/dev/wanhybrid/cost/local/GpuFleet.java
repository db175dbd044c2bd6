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

    /** The part of the fixed cost that does not shrink with fewer GPUs: staff and overhead. */
    public Money sharedFixedCostPerYear() {
        return switch (cost) {
            case FleetCost.Rented r -> r.opsStaffPerYear().plus(r.overheadPerYear());
            case FleetCost.Owned o -> o.opsStaffPerYear().plus(o.overheadPerYear());
        };
    }

    /**
     * The fixed cost per year, item by item, in the order a person checks them: for an owned fleet hardware
     * write-off, idle power, the cooling share of it (PUE above 1), staff, overhead; for a rented one the rent,
     * staff, overhead. The items add up to {@link #fixedCostPerYear()}.
     */
    public java.util.SequencedMap<String, Money> fixedCostItemsPerYear() {
        java.util.SequencedMap<String, Money> items = new java.util.LinkedHashMap<>();
        switch (cost) {
            case FleetCost.Rented r -> {
                items.put("rent: " + count + " x " + r.hourlyPerGpu() + " an hour x 8,760 h",
                        r.hourlyPerGpu().times(HOURS_PER_YEAR).times(count));
                items.put("staff", r.opsStaffPerYear());
                items.put("overhead", r.overheadPerYear());
            }
            case FleetCost.Owned o -> {
                items.put("hardware: " + count + " x " + o.capexPerGpu() + " over " + o.amortizationYears().toPlainString()
                        + " years", o.capexPerGpu().dividedBy(o.amortizationYears(), 10).times(count));
                BigDecimal idleKwh = o.idleWattsPerGpu().multiply(HOURS_PER_YEAR).multiply(BigDecimal.valueOf(count))
                        .divide(BigDecimal.valueOf(1000));
                items.put("idle power: " + count + " x " + o.idleWattsPerGpu().toPlainString() + " W around the clock at "
                        + o.energyPerKwh() + "/kWh", o.energyPerKwh().times(idleKwh));
                items.put("cooling: PUE " + o.pue().toPlainString() + " on the idle power",
                        o.energyPerKwh().times(idleKwh.multiply(o.pue().subtract(BigDecimal.ONE))));
                items.put("staff", o.opsStaffPerYear());
                items.put("overhead", o.overheadPerYear());
            }
        }
        return items;
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
