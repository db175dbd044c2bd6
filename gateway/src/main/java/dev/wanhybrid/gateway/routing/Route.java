package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The router's decision for one request, and its explanation.
 *
 * @param candidates the feasible candidates in preference order; the first is the chosen one, the rest are the
 *     fallbacks the dispatcher tries when a backend refuses or fails before accepting
 * @param rejected every candidate that was considered and ruled out, with why
 * @param reason a short fixed-vocabulary reason for the choice (also a metric tag), e.g. {@code cheapest},
 *     {@code audio_requires_cloud}, {@code local_only}, {@code pinned}, {@code deadline}, {@code cloud_unavailable}
 * @param lowerTier when a spent budget's {@code lower_tier} policy ran the request at the smaller size the caller
 *     allowed, what changed and why; {@code null} otherwise
 * @param hedge when the first candidate runs locally hedged ({@code gateway.routing.hedging}), when it leaves for
 *     the cloud and on which candidate; {@code null} otherwise
 * @param preemption when the first candidate runs locally on a GPU taken from a running job that is suspended and
 *     resumes later ({@code gateway.routing.preemption}), which one; {@code null} otherwise
 */
public record Route(List<RouteCandidate> candidates, List<RejectedCandidate> rejected, String reason,
        LowerTier lowerTier, Hedge hedge, Preemption preemption) {

    /**
     * The local run this job takes the GPU from: it stops at its next step boundary once this job is queued, and
     * resumes where it stopped, still in time for its own deadline.
     *
     * @param task the local backend's task id of the run to suspend
     * @param job the job that run belongs to ({@code null} where the plan does not know it)
     * @param detail why, in a sentence
     */
    public record Preemption(String task, String job, String detail) {

        public Preemption {
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * A local run taken on its expected time: at {@code at} (its deadline minus the rescue's latency), if it has not
     * started or its progress says it will end after its deadline, it is cancelled locally and resubmitted to
     * {@code rescue}.
     *
     * @param at the hedge point
     * @param rescue the cloud candidate that takes the job then (one of the route's candidates)
     */
    public record Hedge(Instant at, RouteCandidate rescue) {

        public Hedge {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(rescue, "rescue");
        }
    }

    /**
     * The request runs at a smaller size than asked, because the budget that would pay for it is spent and its
     * policy is {@code lower_tier}.
     *
     * @param from the size asked for ({@code null}: the model's default)
     * @param to the size it runs at ({@code routing.lower_tier_size})
     * @param detail why, in a sentence
     */
    public record LowerTier(VideoSize from, VideoSize to, String detail) {}

    public Route(List<RouteCandidate> candidates, List<RejectedCandidate> rejected, String reason) {
        this(candidates, rejected, reason, null, null);
    }

    public Route(List<RouteCandidate> candidates, List<RejectedCandidate> rejected, String reason,
            LowerTier lowerTier, Hedge hedge) {
        this(candidates, rejected, reason, lowerTier, hedge, null);
    }

    public Route(List<RouteCandidate> candidates, List<RejectedCandidate> rejected, String reason,
            LowerTier lowerTier) {
        this(candidates, rejected, reason, lowerTier, null);
    }

    public Route {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one candidate");
        }
        candidates = List.copyOf(candidates);
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
        if (hedge != null && !candidates.contains(hedge.rescue())) {
            throw new IllegalArgumentException("a hedge's rescue must be one of the route's candidates");
        }
    }

    public RouteCandidate chosen() {
        return candidates.get(0);
    }
}
