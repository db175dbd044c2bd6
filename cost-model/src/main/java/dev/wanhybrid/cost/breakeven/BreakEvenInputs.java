package dev.wanhybrid.cost.breakeven;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The few numbers the owning-versus-renting comparison rests on, per month and per video of one shape.
 *
 * @param sharedFixedPerMonth fixed cost that does not depend on the number of GPUs (staff, overhead)
 * @param perGpuFixedPerMonth fixed cost that comes with each GPU (rent, or write-off and idle power)
 * @param marginalPerVideo what one more local video adds (energy above idle)
 * @param apiPerVideo the cloud list price of one such video
 * @param capacityPerGpuPerMonth videos one GPU can make per month at the target utilization
 * @param gpus the number of GPUs in the fleet
 */
public record BreakEvenInputs(Money sharedFixedPerMonth, Money perGpuFixedPerMonth, Money marginalPerVideo,
        Money apiPerVideo, BigDecimal capacityPerGpuPerMonth, int gpus) {

    public BreakEvenInputs {
        Objects.requireNonNull(sharedFixedPerMonth, "sharedFixedPerMonth");
        Objects.requireNonNull(perGpuFixedPerMonth, "perGpuFixedPerMonth");
        Objects.requireNonNull(marginalPerVideo, "marginalPerVideo");
        Objects.requireNonNull(apiPerVideo, "apiPerVideo");
        Objects.requireNonNull(capacityPerGpuPerMonth, "capacityPerGpuPerMonth");
        // Comparing refuses mixed currencies here rather than deep inside a calculation.
        sharedFixedPerMonth.compareTo(apiPerVideo);
        perGpuFixedPerMonth.compareTo(apiPerVideo);
        marginalPerVideo.compareTo(apiPerVideo);
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative, was " + gpus);
        }
        if (capacityPerGpuPerMonth.signum() < 0) {
            throw new IllegalArgumentException("capacity must not be negative, was " + capacityPerGpuPerMonth);
        }
    }

    /** The whole fleet's fixed cost per month. */
    public Money fixedPerMonth() {
        return gpus == 0 ? Money.zero(apiPerVideo.currency()) : perGpuFixedPerMonth.times(gpus).plus(sharedFixedPerMonth);
    }

    /** The whole fleet's capacity per month, whole videos. */
    public BigDecimal capacityPerMonth() {
        return capacityPerGpuPerMonth.multiply(BigDecimal.valueOf(gpus)).setScale(0, RoundingMode.FLOOR);
    }

    public BreakEvenInputs withGpus(int newGpus) {
        return new BreakEvenInputs(sharedFixedPerMonth, perGpuFixedPerMonth, marginalPerVideo, apiPerVideo,
                capacityPerGpuPerMonth, newGpus);
    }

    public BreakEvenInputs withApiPrice(Money price) {
        return new BreakEvenInputs(sharedFixedPerMonth, perGpuFixedPerMonth, marginalPerVideo, price,
                capacityPerGpuPerMonth, gpus);
    }

    public BreakEvenInputs withCapacityPerGpu(BigDecimal capacity) {
        return new BreakEvenInputs(sharedFixedPerMonth, perGpuFixedPerMonth, marginalPerVideo, apiPerVideo, capacity,
                gpus);
    }
}
