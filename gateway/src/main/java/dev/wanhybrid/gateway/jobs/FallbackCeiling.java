package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost ceiling a job's fallbacks keep to, fixed when the job is accepted: the caller's
 * {@code routing.max_cost_usd} when set (setting it is the explicit opt-in to a costlier fallback), otherwise
 * {@code gateway.jobs.fallback.max-cost-multiple} times the estimate the job was accepted with. Candidates above it
 * are taken out of the job's route before it is stored, as rejected for {@code over_cost_ceiling}, so
 * {@link FallbackPolicy} never moves the job onto them; with none left the job waits for the candidates it has.
 */
final class FallbackCeiling {

    /** The rejection code of a candidate above the ceiling. */
    static final String REASON = "over_cost_ceiling";

    /** The candidates a job keeps, and those cut. */
    record Trimmed(List<RouteCandidate> kept, List<RejectedCandidate> cut, BigDecimal ceilingUsd) {}

    private FallbackCeiling() {}

    /**
     * @param feasible the job's candidates from the one whose estimate was reserved (first) on
     * @param maxCostUsd the caller's {@code routing.max_cost_usd}, or {@code null}
     * @param multiple the configured multiple of the accepted estimate
     */
    static Trimmed apply(List<RouteCandidate> feasible, BigDecimal maxCostUsd, BigDecimal multiple) {
        return apply(feasible, maxCostUsd, multiple, null);
    }

    /**
     * As above, keeping {@code rescue} above the multiple: a hedged local run's rescue is the cloud option the router
     * weighed it against, the price the job would have paid without the hedge, not a costlier fallback (within
     * {@code max_cost_usd}, which the router already applied).
     */
    static Trimmed apply(List<RouteCandidate> feasible, BigDecimal maxCostUsd, BigDecimal multiple,
            RouteCandidate rescue) {
        BigDecimal accepted = feasible.getFirst().estimatedCostUsd();
        BigDecimal ceiling = maxCostUsd != null ? maxCostUsd
                : accepted == null ? null : accepted.multiply(multiple).setScale(6, RoundingMode.HALF_UP);
        if (ceiling == null) {
            return new Trimmed(feasible, List.of(), null);
        }
        List<RouteCandidate> kept = new ArrayList<>();
        List<RejectedCandidate> cut = new ArrayList<>();
        kept.add(feasible.getFirst());
        for (RouteCandidate candidate : feasible.subList(1, feasible.size())) {
            BigDecimal estimate = candidate.estimatedCostUsd();
            if (estimate == null || estimate.compareTo(ceiling) <= 0
                    || maxCostUsd == null && candidate.equals(rescue)) {
                kept.add(candidate);
            } else {
                String why = maxCostUsd != null ? "routing.max_cost_usd of $" + maxCostUsd.toPlainString()
                        : multiple.stripTrailingZeros().toPlainString() + " x the accepted estimate of $"
                                + accepted.toPlainString() + "; set routing.max_cost_usd to allow a costlier fallback";
                cut.add(new RejectedCandidate(candidate.backend(), candidate.model(), REASON,
                        "As a fallback its estimate of $" + estimate.toPlainString() + " is above the job's ceiling of $"
                                + ceiling.stripTrailingZeros().toPlainString() + " (" + why + ")."));
            }
        }
        return new Trimmed(kept, cut, ceiling);
    }
}
