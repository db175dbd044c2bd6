package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * Everything the routing decision depends on besides the request, captured at one instant so the decision is a
 * pure function of it.
 *
 * @param catalog the models
 * @param health each backend's readiness and breaker state, by backend id; a missing backend is not ready
 * @param localQueue the local queue
 * @param cloudLatency recent cloud task times
 * @param costs the cost estimator
 * @param budgetHeadroomUsd what is left under the tightest budget cap for this tenant, by backend id; a missing
 *     entry means no cap applies
 * @param now the decision time
 * @param localPlan the routing core's plan and demand, for admission and the shadow price of GPU time; {@code null}
 *     decides local against cloud by estimated cost alone
 * @param whenExhausted the policy of the tightest budget cap for this tenant ({@code reject} when none applies):
 *     it words the budget rejections; the planner applies it ({@code local_only}: owned engines get no headroom
 *     entry; {@code lower_tier}: a second decision at the caller's smaller size; {@code queue}: owned engines get
 *     no headroom entry, and a refusal becomes a waiting job)
 */
public record RoutingContext(ModelCatalog catalog, Map<String, BackendHealth> health, LocalQueueState localQueue,
        LatencyObservations cloudLatency, CostEstimator costs, Map<String, BigDecimal> budgetHeadroomUsd,
        Instant now, LocalPlanState localPlan, WhenExhausted whenExhausted) {

    public RoutingContext(ModelCatalog catalog, Map<String, BackendHealth> health, LocalQueueState localQueue,
            LatencyObservations cloudLatency, CostEstimator costs, Map<String, BigDecimal> budgetHeadroomUsd,
            Instant now, LocalPlanState localPlan) {
        this(catalog, health, localQueue, cloudLatency, costs, budgetHeadroomUsd, now, localPlan,
                WhenExhausted.REJECT);
    }

    public RoutingContext(ModelCatalog catalog, Map<String, BackendHealth> health, LocalQueueState localQueue,
            LatencyObservations cloudLatency, CostEstimator costs, Map<String, BigDecimal> budgetHeadroomUsd,
            Instant now) {
        this(catalog, health, localQueue, cloudLatency, costs, budgetHeadroomUsd, now, null);
    }

    /** The same state with no budget cap applying: the decision a request gets once the budget allows it. */
    public RoutingContext withoutBudget() {
        return new RoutingContext(catalog, health, localQueue, cloudLatency, costs, Map.of(), now, localPlan,
                whenExhausted);
    }

    public RoutingContext {
        health = Map.copyOf(health);
        localQueue = localQueue == null ? LocalQueueState.IDLE : localQueue;
        cloudLatency = cloudLatency == null ? LatencyObservations.NONE : cloudLatency;
        costs = costs == null ? CostEstimator.FROM_CATALOG : costs;
        budgetHeadroomUsd = budgetHeadroomUsd == null ? Map.of() : Map.copyOf(budgetHeadroomUsd);
        whenExhausted = whenExhausted == null ? WhenExhausted.REJECT : whenExhausted;
    }
}
