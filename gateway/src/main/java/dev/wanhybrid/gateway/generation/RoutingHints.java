package dev.wanhybrid.gateway.generation;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * What the caller tells the router: an optional backend pin, the objective, a cost ceiling, a deadline, and
 * whether the data must stay on our machines.
 *
 * @param backend {@code null} (router decides), {@code "local"}, {@code "cloud"} or a remote engine's configured name
 * @param objective what to minimise among the feasible candidates
 * @param maxCostUsd ceiling for the estimated cost, or {@code null}
 * @param deadline time from submission to a finished video, or {@code null}
 * @param localOnly data must not leave our machines
 */
public record RoutingHints(String backend, Objective objective, BigDecimal maxCostUsd, Duration deadline,
        boolean localOnly) {

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
