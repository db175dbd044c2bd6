package dev.wanhybrid.gateway.routing;

import java.util.List;

/**
 * The router's decision for one request, and its explanation.
 *
 * @param candidates the feasible candidates in preference order; the first is the chosen one, the rest are the
 *     fallbacks the dispatcher tries when a backend refuses or fails before accepting
 * @param rejected every candidate that was considered and ruled out, with why
 * @param reason a short fixed-vocabulary reason for the choice (also a metric tag), e.g. {@code cheapest},
 *     {@code audio_requires_cloud}, {@code local_only}, {@code pinned}, {@code deadline}, {@code cloud_unavailable}
 */
public record Route(List<RouteCandidate> candidates, List<RejectedCandidate> rejected, String reason) {

    public Route {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one candidate");
        }
        candidates = List.copyOf(candidates);
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
    }

    public RouteCandidate chosen() {
        return candidates.get(0);
    }
}
