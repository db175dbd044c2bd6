package dev.wanhybrid.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The route stored with a job: the router's candidates and rejections, plus every fallback the dispatcher took,
 * so the explanation a caller sees stays true after the route changed.
 */
public record JobRoute(
        @JsonProperty("reason") String reason,
        @JsonProperty("candidates") List<Candidate> candidates,
        @JsonProperty("rejected") List<RejectedCandidate> rejected,
        @JsonProperty("fallbacks") List<Fallback> fallbacks,
        @JsonProperty("lower_tier") LowerTier lowerTier,
        @JsonProperty("hedge") Hedge hedge,
        @JsonProperty("budget_wait") BudgetWait budgetWait,
        @JsonProperty("preempts") Preempts preempts) {

    /**
     * The local run this job took the GPU from ({@code gateway.routing.preemption}): the local backend asks it to
     * suspend at its next step boundary when this job is queued; it resumes later where it stopped.
     *
     * @param task the local task id of that run
     * @param job its job
     * @param detail why, in a sentence
     */
    public record Preempts(
            @JsonProperty("task") String task,
            @JsonProperty("job") String job,
            @JsonProperty("detail") String detail) {

        static Preempts of(Route.Preemption p) {
            return p == null ? null : new Preempts(p.task(), p.job(), p.detail());
        }
    }

    /**
     * Why a job accepted under a spent budget whose policy is {@code queue} waits, and until when at most.
     *
     * @param cap the budget cap that has no room (its name, e.g. {@code tenant:demo/day})
     * @param resetsAt when that cap's period resets (epoch seconds)
     * @param givesUpAt when the job stops waiting and fails (epoch seconds)
     * @param bound what sets {@code givesUpAt}: {@code routing.deadline_seconds} or
     *     {@code gateway.budget.queue.max-wait}
     * @param detail why, in a sentence
     */
    public record BudgetWait(
            @JsonProperty("cap") String cap,
            @JsonProperty("resets_at") Long resetsAt,
            @JsonProperty("gives_up_at") long givesUpAt,
            @JsonProperty("bound") String bound,
            @JsonProperty("detail") String detail) {}

    /**
     * A local run admitted on its expected time ({@code gateway.routing.hedging}): at {@code at} it leaves for the
     * rescue candidate if it has not started or its progress says it will end after its deadline. Stored with the
     * job, so a restarted gateway still carries it out.
     *
     * @param at the hedge point, epoch seconds
     * @param rescueBackend the backend of the candidate that takes the job then
     * @param rescueModel its model
     * @param outcome {@code null} while pending; {@code hedged_to_cloud} once the job left, {@code kept_local} once
     *     it finished locally
     */
    public record Hedge(
            @JsonProperty("at") long at,
            @JsonProperty("rescue_backend") String rescueBackend,
            @JsonProperty("rescue_model") String rescueModel,
            @JsonProperty("outcome") String outcome) {

        /** The reason, in the route's fallbacks and the ledger, for a job that left at its hedge point. */
        public static final String HEDGED_TO_CLOUD = "hedged_to_cloud";

        static Hedge of(Route.Hedge hedge) {
            return hedge == null ? null : new Hedge(hedge.at().getEpochSecond(), hedge.rescue().backend(),
                    hedge.rescue().model(), null);
        }

        public Instant point() {
            return Instant.ofEpochSecond(at);
        }

        Hedge withOutcome(String what) {
            return new Hedge(at, rescueBackend, rescueModel, what);
        }
    }

    /** The size the request was lowered from and to by a spent budget's {@code lower_tier} policy, and why. */
    public record LowerTier(
            @JsonProperty("from_size") String fromSize,
            @JsonProperty("to_size") String toSize,
            @JsonProperty("detail") String detail) {

        static LowerTier of(Route.LowerTier lowered) {
            return lowered == null ? null : new LowerTier(lowered.from() == null ? null : lowered.from().toString(),
                    lowered.to().toString(), lowered.detail());
        }
    }

    /** One feasible candidate; durations as seconds so the stored JSON is plain. */
    public record Candidate(
            @JsonProperty("backend") String backend,
            @JsonProperty("model") String model,
            @JsonProperty("estimated_cost_usd") BigDecimal estimatedCostUsd,
            @JsonProperty("estimated_seconds") Long estimatedSeconds) {

        static Candidate of(RouteCandidate candidate) {
            return new Candidate(candidate.backend(), candidate.model(), candidate.estimatedCostUsd(),
                    candidate.estimatedTime() == null ? null : candidate.estimatedTime().toSeconds());
        }

        public RouteCandidate toRouteCandidate() {
            return new RouteCandidate(backend, model, estimatedCostUsd,
                    estimatedSeconds == null ? null : Duration.ofSeconds(estimatedSeconds));
        }
    }

    /** A switch from one candidate to the next, and why. */
    public record Fallback(
            @JsonProperty("from_backend") String fromBackend,
            @JsonProperty("from_model") String fromModel,
            @JsonProperty("to_backend") String toBackend,
            @JsonProperty("to_model") String toModel,
            @JsonProperty("reason") String reason,
            @JsonProperty("detail") String detail,
            @JsonProperty("at") long at) {}

    public JobRoute {
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
    }

    /** The router's route, with the candidates ruled out at reservation time added to the rejections. */
    public static JobRoute of(Route route, List<RouteCandidate> feasible, List<RejectedCandidate> extraRejected) {
        List<RejectedCandidate> rejected = new ArrayList<>(route.rejected());
        rejected.addAll(extraRejected);
        // (a hedge whose local run or rescue the budget ruled out at reservation is void: the run is not hedged)
        Route.Hedge hedge = route.hedge() != null && !feasible.isEmpty() && feasible.getFirst().equals(route.chosen())
                && feasible.contains(route.hedge().rescue()) ? route.hedge() : null;
        // (so is a pre-emption whose local run the budget ruled out)
        Route.Preemption preemption = route.preemption() != null && !feasible.isEmpty()
                && feasible.getFirst().equals(route.chosen()) ? route.preemption() : null;
        return new JobRoute(route.reason(), feasible.stream().map(Candidate::of).toList(), rejected, List.of(),
                LowerTier.of(route.lowerTier()), Hedge.of(hedge), null, Preempts.of(preemption));
    }

    /** The local task to suspend when this job is handed to the local backend: only for its first candidate. */
    public String preemptsTask(int candidateIndex) {
        return preempts == null || candidateIndex != 0 ? null : preempts.task();
    }

    /** Whether the job runs on a local candidate with a hedge point still to be carried out. */
    public boolean hedgePending(int candidateIndex) {
        return hedge != null && hedge.outcome() == null && candidateIndex == 0;
    }

    /** This route with the hedge's outcome recorded. */
    public JobRoute withHedgeOutcome(String outcome) {
        return new JobRoute(reason, candidates, rejected, fallbacks, lowerTier, hedge.withOutcome(outcome),
                budgetWait, preempts);
    }

    public JobRoute withFallback(Fallback fallback, List<RejectedCandidate> moreRejected) {
        List<Fallback> all = new ArrayList<>(fallbacks);
        all.add(fallback);
        List<RejectedCandidate> rej = new ArrayList<>(rejected);
        rej.addAll(moreRejected);
        return new JobRoute(reason, candidates, rej, all, lowerTier, hedge, budgetWait, preempts);
    }

    /**
     * This route, waiting for the budget as {@code wait} says. A pre-emption the route named is dropped: it was
     * decided for the fleet as it is now, not as it will be when the budget allows the job.
     */
    public JobRoute withBudgetWait(BudgetWait wait) {
        return new JobRoute(reason, candidates, rejected, fallbacks, lowerTier, hedge, wait, null);
    }

    public static Instant epoch(long seconds) {
        return Instant.ofEpochSecond(seconds);
    }
}
