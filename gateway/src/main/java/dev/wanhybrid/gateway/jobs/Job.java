package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of the {@code jobs} table: the request, its route, where it stands, and the lease of the dispatcher
 * that works on it.
 *
 * <p>A new job starts as {@link #accepted}; every later state is written by {@link JobStore} and read back
 * whole, so the canonical constructor is for the store's row mapper (and the {@code with...} copies here) only.
 *
 * @param backend backend of the current route candidate
 * @param model model of the current route candidate
 * @param candidateIndex index of the current candidate in {@link JobRoute#candidates()}
 * @param taskId the backend's task id once accepted
 * @param estimateUsd estimate reserved for the current candidate
 * @param actualUsd the settled amount, once completed
 * @param submittedAt when the latest submission started (reconciliation of a lost answer is bounded from it)
 * @param version optimistic lock; every write increments it
 */
public record Job(
        String id,
        String tenant,
        JobStatus status,
        JobPhase phase,
        String requestedModel,
        String backend,
        String model,
        int candidateIndex,
        GenerationSpec spec,
        JobRoute route,
        String taskId,
        int progress,
        BigDecimal estimateUsd,
        BigDecimal actualUsd,
        String resultKey,
        Long resultSize,
        String resultSha256,
        String errorCode,
        String errorMessage,
        boolean cancelRequested,
        boolean deleted,
        int attempts,
        int polls,
        String leaseOwner,
        Instant leaseExpiresAt,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        Instant submittedAt,
        long version) {

    /**
     * A job just accepted: queued on the first candidate of its route, with that candidate's estimate reserved,
     * due at once, unleased, at version 0.
     */
    public static Job accepted(String id, GenerationSpec spec, JobRoute route, Instant now) {
        JobRoute.Candidate first = route.candidates().getFirst();
        return new Job(id, spec.tenant(), JobStatus.QUEUED, JobPhase.QUEUED, spec.model(), first.backend(),
                first.model(), 0, spec, route, null, 0, first.estimatedCostUsd(), null, null, null, null, null, null,
                false, false, 0, 0, null, null, now, now, now, null, null, 0);
    }

    /**
     * A job accepted to wait under a spent budget whose policy is {@code queue}: shown on the first candidate of its
     * route (where it would run once the budget allowed it), with nothing reserved, due again at {@code next}.
     */
    public static Job budgetQueued(String id, GenerationSpec spec, JobRoute route, Instant now, Instant next) {
        JobRoute.Candidate first = route.candidates().getFirst();
        return new Job(id, spec.tenant(), JobStatus.QUEUED, JobPhase.BUDGET_QUEUED, spec.model(), first.backend(),
                first.model(), 0, spec, route, null, 0, null, null, null, null, null, null, null,
                false, false, 0, 0, null, null, next, now, now, null, null, 0);
    }

    /** This job after {@code polls} status polls of its task. */
    public Job withPolls(int polls) {
        return new Job(id, tenant, status, phase, requestedModel, backend, model, candidateIndex, spec, route, taskId,
                progress, estimateUsd, actualUsd, resultKey, resultSize, resultSha256, errorCode, errorMessage,
                cancelRequested, deleted, attempts, polls, leaseOwner, leaseExpiresAt, nextAttemptAt, createdAt,
                updatedAt, completedAt, submittedAt, version);
    }

    public JobRoute.Candidate currentCandidate() {
        return route.candidates().get(candidateIndex);
    }

    /**
     * The budget wait of a job that still waits under a spent budget whose policy is {@code queue}, for the API
     * objects of both protocols to show; {@code null} once it has left the wait or its cancellation was asked for.
     */
    public JobRoute.BudgetWait waitingForBudget() {
        if (phase != JobPhase.BUDGET_QUEUED || route == null || cancelRequested) {
            return null;
        }
        return route.budgetWait();
    }
}
