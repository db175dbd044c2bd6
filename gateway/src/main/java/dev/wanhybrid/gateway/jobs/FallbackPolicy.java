package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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

    private final SpendLedger ledger;

    FallbackPolicy(SpendLedger ledger) {
        this.ledger = ledger;
    }

    /** Reserves the estimate of the first candidate at or after {@code from} that the budget admits. */
    Pick reserveFirst(String jobId, String tenant, List<RouteCandidate> candidates, int from) {
        List<RejectedCandidate> overBudget = new ArrayList<>();
        BudgetExceededException firstRefusal = null;
        for (int i = from; i < candidates.size(); i++) {
            RouteCandidate candidate = candidates.get(i);
            try {
                ledger.reserve(jobId, tenant, candidate.backend(), candidate.model(), candidate.estimatedCostUsd());
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
