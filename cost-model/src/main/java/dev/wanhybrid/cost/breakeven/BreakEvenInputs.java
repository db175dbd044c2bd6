package dev.wanhybrid.cost.breakeven;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The few numbers the owning-versus-renting comparison rests on, all per month and per video of one shape.
 *
 * @param fixedPerMonth what the fleet costs per month whether it works or not
 * @param marginalPerVideo what one more local video adds (energy above idle)
 * @param apiPerVideo the cloud list price of one such video
 * @param capacityPerMonth videos the fleet can make per month at its target utilization
 * @param gpus the number of GPUs in the fleet (fixed cost and capacity are taken to scale with it)
 */
public record BreakEvenInputs(Money fixedPerMonth, Money marginalPerVideo, Money apiPerVideo,
        BigDecimal capacityPerMonth, int gpus) {

    public BreakEvenInputs {
        Objects.requireNonNull(fixedPerMonth, "fixedPerMonth");
        Objects.requireNonNull(marginalPerVideo, "marginalPerVideo");
        Objects.requireNonNull(apiPerVideo, "apiPerVideo");
        Objects.requireNonNull(capacityPerMonth, "capacityPerMonth");
        fixedPerMonth.compareTo(apiPerVideo); // refuses mixed currencies early
        marginalPerVideo.compareTo(apiPerVideo);
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative, was " + gpus);
        }
    }

    /** The same comparison with fixed cost and capacity scaled to another fleet size. */
    public BreakEvenInputs withGpus(int newGpus) {
        if (gpus == 0) {
            throw new IllegalStateException("cannot scale a fleet of zero GPUs");
        }
        BigDecimal ratio = BigDecimal.valueOf(newGpus).divide(BigDecimal.valueOf(gpus), 12, java.math.RoundingMode.HALF_EVEN);
        return new BreakEvenInputs(fixedPerMonth.times(ratio), marginalPerVideo, apiPerVideo,
                capacityPerMonth.multiply(ratio).setScale(0, java.math.RoundingMode.FLOOR), newGpus);
    }

    public BreakEvenInputs withApiPrice(Money price) {
        return new BreakEvenInputs(fixedPerMonth, marginalPerVideo, price, capacityPerMonth, gpus);
    }

    public BreakEvenInputs withCapacity(BigDecimal capacity) {
        return new BreakEvenInputs(fixedPerMonth, marginalPerVideo, apiPerVideo, capacity, gpus);
    }
}
