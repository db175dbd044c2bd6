package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.util.Objects;

/** How a GPU fleet is paid for: rented by the hour, or owned (capex amortized plus power, staff and overhead). */
public sealed interface FleetCost {

    /**
     * GPUs rented and kept on: the hourly price is paid whether they work or not, so a video adds nothing.
     *
     * @param hourlyPerGpu price of one GPU for one hour
     * @param opsStaffPerYear people who run the rented fleet, per year (a rented GPU still needs someone)
     * @param overheadPerYear storage, network, support, per year
     */
    record Rented(Money hourlyPerGpu, Money opsStaffPerYear, Money overheadPerYear) implements FleetCost {
        public Rented {
            Objects.requireNonNull(hourlyPerGpu, "hourly_per_gpu");
            if (hourlyPerGpu.isNegative()) {
                throw new IllegalArgumentException("hourly_per_gpu must not be negative");
            }
            opsStaffPerYear = opsStaffPerYear == null ? Money.zero(hourlyPerGpu.currency()) : opsStaffPerYear;
            overheadPerYear = overheadPerYear == null ? Money.zero(hourlyPerGpu.currency()) : overheadPerYear;
            if (opsStaffPerYear.isNegative() || overheadPerYear.isNegative()) {
                throw new IllegalArgumentException("ops_staff_per_year and overhead_per_year must not be negative");
            }
        }

        /** A rented fleet with no staff or overhead of its own. */
        public Rented(Money hourlyPerGpu) {
            this(hourlyPerGpu, null, null);
        }
    }

    /**
     * GPUs bought and run in our own racks.
     *
     * @param capexPerGpu purchase price of one GPU with its share of the server
     * @param amortizationYears years over which the purchase is written off
     * @param busyWattsPerGpu wall power of one GPU (with its share of the server) while generating
     * @param idleWattsPerGpu wall power while idle; equal to busy when the machines are never idle-throttled
     * @param energyPerKwh price of one kWh
     * @param pue power usage effectiveness of the room (cooling and losses), at least 1
     * @param opsStaffPerYear people who run the fleet, per year
     * @param overheadPerYear rack space, network, support contracts, per year
     */
    record Owned(Money capexPerGpu, BigDecimal amortizationYears, BigDecimal busyWattsPerGpu,
            BigDecimal idleWattsPerGpu, Money energyPerKwh, BigDecimal pue, Money opsStaffPerYear,
            Money overheadPerYear) implements FleetCost {
        public Owned {
            Objects.requireNonNull(capexPerGpu, "capex_per_gpu");
            Objects.requireNonNull(energyPerKwh, "energy_per_kwh");
            Objects.requireNonNull(opsStaffPerYear, "ops_staff_per_year");
            Objects.requireNonNull(overheadPerYear, "overhead_per_year");
            if (amortizationYears == null || amortizationYears.signum() <= 0) {
                throw new IllegalArgumentException("amortization_years must be positive");
            }
            if (busyWattsPerGpu == null || busyWattsPerGpu.signum() < 0) {
                throw new IllegalArgumentException("busy_watts_per_gpu must not be negative");
            }
            idleWattsPerGpu = idleWattsPerGpu == null ? busyWattsPerGpu : idleWattsPerGpu;
            if (idleWattsPerGpu.signum() < 0 || idleWattsPerGpu.compareTo(busyWattsPerGpu) > 0) {
                throw new IllegalArgumentException("idle_watts_per_gpu must be between 0 and busy_watts_per_gpu");
            }
            pue = pue == null ? BigDecimal.ONE : pue;
            if (pue.compareTo(BigDecimal.ONE) < 0) {
                throw new IllegalArgumentException("pue must be at least 1, was " + pue);
            }
        }
    }
}
