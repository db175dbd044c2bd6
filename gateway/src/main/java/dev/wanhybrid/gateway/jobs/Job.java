package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of the {@code jobs} table: the request, its route, where it stands, and the lease of the dispatcher
 * that works on it.
 *
 * @param backend backend of the current route candidate
 * @param model model of the current route candidate
 * @param candidateIndex index of the current candidate in {@link JobRoute#candidates()}
 * @param taskId the backend's task id once accepted
 * @param estimateUsd estimate reserved for the current candidate
 * @param actualUsd the settled amount, once completed
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
        long version) {

    public JobRoute.Candidate currentCandidate() {
        return route.candidates().get(candidateIndex);
    }
}
