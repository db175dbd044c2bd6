package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.NewReservation;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a job's fallback is decided, and where its budget is reserved. The router orders the feasible candidates
 * once; from then on a job runs on the first candidate, from a given position, whose estimate the spend ledger
 * admits: at creation from the first candidate, after a backend refused it from the next one. Candidates the
 * budget refuses on the way are recorded as rejected for {@code budget}.
 */
final class FallbackPolicy {

    /**
     * The outcome of walking the candidates.
     *
     * @param index the candidate whose estimate is now reserved, or {@code -1} when the budget admits none
     * @param overBudget the candidates passed over because the budget refused them
     * @param firstRefusal the first budget refusal met, or {@code null}
     */
    record Pick(int index, List<RejectedCandidate> overBudget, BudgetExceededException firstRefusal) {

        boolean found() {
            return index >= 0;
        }
    }

    /**
     * A fresh route admitted by the budget: the route to store (its candidates from the reserved one on, within the
     * job's cost ceiling) and the reserved candidate, or the first budget refusal when the budget admits none.
     */
    record Admitted(JobRoute route, RouteCandidate chosen, BudgetExceededException refusal) {

        boolean found() {
            return refusal == null;
        }
    }

    private final SpendLedger ledger;

    FallbackPolicy(SpendLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Reserves the estimate of the first candidate of a fresh route that the budget admits (at creation, or when a
     * job that waited for the budget is routed again). Later candidates stay as fallbacks, those within the job's
     * cost ceiling; their reservation is taken if and when they are used.
     */
    Admitted admit(String jobId, GenerationSpec spec, Route route, BigDecimal maxCostMultiple) {
        return admit(jobId, spec, route, maxCostMultiple, false);
    }

    /**
     * {@link #admit(String, GenerationSpec, Route, BigDecimal)} for a job being created under a fresh id, which the
     * ledger has never seen ({@link SpendLedger#reserveNew}).
     */
    Admitted admitNew(String jobId, GenerationSpec spec, Route route, BigDecimal maxCostMultiple) {
        return admit(jobId, spec, route, maxCostMultiple, true);
    }

    /**
     * A fresh route whose first candidate no budget cap applies to: admitted as {@link #admitNew} would admit it,
     * with the reservation made ready but not yet written, so the submission can be written in a group
     * ({@link SubmitGroups}). Empty when a cap applies; the submission then goes through {@link #admitNew}.
     */
    Optional<Grouped> admitNewUncapped(String jobId, GenerationSpec spec, Route route, BigDecimal maxCostMultiple) {
        RouteCandidate first = route.candidates().get(0);
        return ledger.uncappedNew(jobId, spec.tenant(), first.backend(), first.model(), first.estimatedCostUsd())
                .map(reservation -> new Grouped(admitted(spec, route, maxCostMultiple,
                        new Pick(0, List.of(), null)), reservation));
    }

    /** A submission admitted without a cap: what {@link #admitNew} would answer, and the reservation to write. */
    record Grouped(Admitted admitted, NewReservation reservation) {}

    private Admitted admit(String jobId, GenerationSpec spec, Route route, BigDecimal maxCostMultiple,
            boolean newJob) {
        Pick pick = reserveFirst(jobId, spec.tenant(), route.candidates(), 0, newJob);
        if (!pick.found()) {
            // Each refusal rolled back to its own savepoint; nothing was written.
            return new Admitted(null, null, pick.firstRefusal());
        }
        return admitted(spec, route, maxCostMultiple, pick);
    }

    private static Admitted admitted(GenerationSpec spec, Route route, BigDecimal maxCostMultiple, Pick pick) {
        FallbackCeiling.Trimmed trimmed = FallbackCeiling.apply(
                route.candidates().subList(pick.index(), route.candidates().size()), spec.routing().maxCostUsd(),
                maxCostMultiple, route.hedge() == null ? null : route.hedge().rescue());
        List<RejectedCandidate> rejected = new ArrayList<>(pick.overBudget());
        rejected.addAll(trimmed.cut());
        return new Admitted(JobRoute.of(route, trimmed.kept(), rejected), trimmed.kept().get(0), null);
    }

    /** Reserves the estimate of the first candidate at or after {@code from} that the budget admits. */
    Pick reserveFirst(String jobId, String tenant, List<RouteCandidate> candidates, int from) {
        return reserveFirst(jobId, tenant, candidates, from, false);
    }

    /**
     * @param newJob the ledger has never seen the job; it stays so after a refusal, which rolls back to its own
     *     savepoint
     */
    private Pick reserveFirst(String jobId, String tenant, List<RouteCandidate> candidates, int from,
            boolean newJob) {
        List<RejectedCandidate> overBudget = new ArrayList<>();
        BudgetExceededException firstRefusal = null;
        for (int i = from; i < candidates.size(); i++) {
            RouteCandidate candidate = candidates.get(i);
            try {
                if (newJob) {
                    ledger.reserveNew(jobId, tenant, candidate.backend(), candidate.model(),
                            candidate.estimatedCostUsd());
                } else {
                    ledger.reserve(jobId, tenant, candidate.backend(), candidate.model(),
                            candidate.estimatedCostUsd());
                }
                return new Pick(i, overBudget, firstRefusal);
            } catch (BudgetExceededException e) {
                firstRefusal = firstRefusal == null ? e : firstRefusal;
                overBudget.add(new RejectedCandidate(candidate.backend(), candidate.model(), "budget",
                        e.getMessage()));
            }
        }
        return new Pick(-1, overBudget, firstRefusal);
    }

    /**
     * After its backend refused or was unavailable: moves the job's reservation on to the next candidate the budget
     * admits. The current reservation is released first, so the job never holds two.
     */
    Pick reserveNext(Job job) {
        ledger.release(job.id());
        List<RouteCandidate> candidates = job.route().candidates().stream()
                .map(JobRoute.Candidate::toRouteCandidate).toList();
        return reserveFirst(job.id(), job.tenant(), candidates, job.candidateIndex() + 1);
    }

    /**
     * Whether a job whose backend refused it moves on now rather than waiting for that backend: when it has a
     * candidate it has not tried, or it has waited as long as it may.
     *
     * @param maxBackendWait how long a job may wait for a refusing backend when it has no untried candidate
     */
    boolean movesOn(Job job, Instant now, Duration maxBackendWait) {
        boolean untried = job.candidateIndex() + 1 < job.route().candidates().size();
        return untried || Duration.between(job.createdAt(), now).compareTo(maxBackendWait) >= 0;
    }
}
