package dev.wanhybrid.gateway.backend;

import java.util.Collection;
import java.util.Set;

/**
 * Which of a backend's task ids already belong to a job, according to the durable job store (every instance,
 * every earlier process). Reconciliation binds a lost submission only to a task no job has claimed, so a billed
 * task ends up bound to exactly one job.
 */
@FunctionalInterface
public interface TaskClaims {

    /** Nothing is known to be claimed (tests and callers without a job store). */
    TaskClaims NONE = taskIds -> Set.of();

    /** The subset of {@code taskIds} that some job already holds. */
    Set<String> claimedAmong(Collection<String> taskIds);
}
