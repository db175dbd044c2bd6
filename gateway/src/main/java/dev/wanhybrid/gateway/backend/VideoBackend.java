package dev.wanhybrid.gateway.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The port every place that can generate a video plugs into: the local Wan 2.1/2.2 engine and the cloud API.
 *
 * <p>The shape is asynchronous, like the providers: {@link #submit} hands a task over and returns the
 * backend's task id, {@link #poll} reads its state, {@link #openResult} streams the finished MP4. The job
 * dispatcher writes every transition to the job store before it calls the next method, so a process that dies
 * between two calls resumes from the store (see {@code docs/architecture.md}).
 *
 * <p>Implementations are thread-safe. None of the methods other than {@link #submit} may cost money, so
 * health probes and reconciliation can call them freely.
 */
public interface VideoBackend {

    /** {@code "local"} or {@code "cloud"}; the word used in routes, metrics and configuration. */
    String id();

    /** Whether this backend can take work now, and if not, what is missing and how to provide it. */
    BackendReadiness readiness();

    /**
     * Hands one task to the backend.
     *
     * @return the backend's own task id (the provider's task id in the cloud)
     * @throws BackendException with {@link BackendException.Kind#ACCEPTANCE_UNKNOWN} when the request may have
     *     reached the provider but its answer was lost; the caller must then {@link #reconcile} and never
     *     submit the same task again blindly
     */
    String submit(BackendTask task) throws BackendException;

    /** The task's current state. An unknown or expired task answers {@link TaskSnapshot.State#UNKNOWN}. */
    TaskSnapshot poll(String taskId) throws BackendException;

    /** Asks the backend to stop the task; a task that already finished is left as it is. */
    void cancel(String taskId) throws BackendException;

    /** Streams the finished MP4 of a {@link TaskSnapshot.State#SUCCEEDED} task. The caller closes it. */
    InputStream openResult(TaskSnapshot snapshot) throws IOException, BackendException;

    /**
     * After an {@code ACCEPTANCE_UNKNOWN} submission: finds the task the provider created for this submission
     * without creating a new one.
     *
     * @return the task id if the provider has it, empty if it certainly does not
     * @throws BackendException when it cannot tell yet (the caller retries later)
     */
    Optional<String> reconcile(BackendTask task) throws BackendException;

    /**
     * How long this backend may stay unreachable while it holds a job before the job is taken from it (moved to the
     * route's next candidate, or failed with {@code backend_unavailable}); empty waits for it, as for the cloud,
     * whose paid task keeps running at the provider.
     */
    default Optional<java.time.Duration> unreachableLimit() {
        return Optional.empty();
    }

    /** Whether a task it lost may be submitted again at no cost (self-hosted GPUs); configured for {@code local}. */
    default boolean resubmitsAtNoCost() {
        return false;
    }

    /**
     * {@link #reconcile(BackendTask)}, told which task ids other jobs already hold, so that a task bound to one job
     * is never bound to a second one.
     *
     * @throws BackendException with {@link BackendException.Kind#UNDECIDED} when the provider's records cannot
     *     tell yet; the caller asks again later
     */
    default Optional<String> reconcile(BackendTask task, TaskClaims claims) throws BackendException {
        return reconcile(task);
    }

    /**
     * The job gives up on a submission whose outcome stayed unknown past its deadline: free what this process holds
     * for it (a concurrency permit). Whatever the provider bills for it is recorded by billing reconciliation.
     */
    default void abandon(BackendTask task) {}

    /**
     * Tells the backend that {@code taskId} belongs to {@code task} before the task is polled, so a task this
     * process did not submit (found again after a restart, or submitted by another replica) counts against the
     * backend's concurrency limits while it runs. Idempotent; the permit is freed when a poll sees the task end.
     */
    default void track(BackendTask task, String taskId) {}

    /**
     * One real, cheap, free call that tells whether the backend answers at all (the breaker's half-open trial when
     * no job traffic provides one).
     */
    default void probe() throws BackendException {
        if (!readiness().ready()) {
            throw new BackendException(BackendException.Kind.REFUSED, "NotReady", readiness().detail());
        }
    }
}
