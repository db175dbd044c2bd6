package dev.wanhybrid.cost.breakeven;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;

/**
 * What to do at an observed monthly volume, and why.
 *
 * @param action the advice
 * @param currentGpus GPUs in the fleet now
 * @param recommendedGpus GPUs that minimise the monthly cost at this volume (overflow goes to the API)
 * @param observedPerMonth the volume the advice is for
 * @param apiOnlyPerMonth monthly cost with everything on the API
 * @param hybridPerMonth monthly cost with the current fleet, overflow on the API
 * @param recommendedPerMonth monthly cost with the recommended fleet, overflow on the API
 * @param explanation one or two sentences for a person
 */
public record Recommendation(Action action, int currentGpus, int recommendedGpus, BigDecimal observedPerMonth,
        Money apiOnlyPerMonth, Money hybridPerMonth, Money recommendedPerMonth, String explanation) {

    /** The advice. */
    public enum Action {
        STAY_ON_API,
        SELF_HOST,
        ADD_GPUS,
        REMOVE_GPUS,
        KEEP_FLEET
    }
}
