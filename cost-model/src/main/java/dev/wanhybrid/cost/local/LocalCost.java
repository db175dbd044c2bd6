package dev.wanhybrid.cost.local;

import dev.wanhybrid.cost.Money;

/**
 * The two views of what one local video costs.
 *
 * @param gpuSeconds predicted GPU-seconds of the job
 * @param marginal what this one video adds now that the GPUs are paid for (energy above idle)
 * @param fullyLoaded marginal plus its share of the fixed cost at the given utilization
 * @param utilization the fleet's busy fraction the fixed share was spread over
 * @param saturated whether the fleet was already fully busy, so the job waits rather than costs more
 */
public record LocalCost(double gpuSeconds, Money marginal, Money fullyLoaded, double utilization, boolean saturated) {}
