package dev.wanhybrid.gateway.generation;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * What the caller tells the router: an optional backend pin, the objective, a cost ceiling, a deadline, whether
 * the data must stay on our machines, and a smaller size it accepts when a budget runs out.
 *
 * @param backend {@code null} (router decides), {@code "local"}, {@code "cloud"} or a remote engine's configured name
 * @param objective what to minimise among the feasible candidates
 * @param maxCostUsd ceiling for the estimated cost, or {@code null}
 * @param deadline time from submission to a finished video, or {@code null}
 * @param localOnly data must not leave our machines
 * @param lowerTierSize a smaller size the request may run at when the budget that would pay for it is spent and
 *     its policy is {@code lower_tier}, or {@code null}
 */
public record RoutingHints(String backend, Objective objective, BigDecimal maxCostUsd, Duration deadline,
        boolean localOnly, VideoSize lowerTierSize) {

    public RoutingHints(String backend, Objective objective, BigDecimal maxCostUsd, Duration deadline,
            boolean localOnly) {
        this(backend, objective, maxCostUsd, deadline, localOnly, null);
    }

    /** The same hints with another deadline (what is left of it for a request that waited). */
    public RoutingHints withDeadline(Duration left) {
        return new RoutingHints(backend, objective, maxCostUsd, left, localOnly, lowerTierSize);
    }

    /** What the router minimises once the hard constraints are met. */
    public enum Objective {
        COST,
        LATENCY
    }

    public static final RoutingHints NONE = new RoutingHints(null, Objective.COST, null, null, false);

    public RoutingHints {
        objective = objective == null ? Objective.COST : objective;
    }
}
