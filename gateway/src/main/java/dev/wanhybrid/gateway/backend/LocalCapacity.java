package dev.wanhybrid.gateway.backend;

import java.util.Set;

/**
 * What a self-hosted backend can take on now: the models it serves, its queue and how much room is left.
 *
 * <p>Routing and the API read it without knowing where the engines are: in this JVM ({@code LocalBackend}), on the
 * cluster's GPU workers (the fleet view, read from the database), or, later, on a remote server. Reading it never
 * fails a request: an implementation that cannot tell answers "not ready" with the reason.
 */
public interface LocalCapacity {

    /**
     * Readiness, served models and queue, read together once: a routing decision takes one snapshot, so a view
     * backed by a database reads it once per decision and its parts agree with each other.
     */
    Snapshot snapshot();

    /**
     * Asks the running task {@code taskId} to stop at its next step boundary and queue again, in deadline order, to
     * resume where it stopped (pre-emption: {@code gateway.routing.preemption}). Refused (false) when the task does
     * not run here, is hedged, is already suspending, or its engine cannot suspend.
     *
     * @param why for the log, in a sentence
     */
    default boolean suspend(String taskId, String why) {
        return false;
    }

    /**
     * @param readiness whether work can run now, and if not, what is missing
     * @param servedModels the catalog models that can run now; empty when none can
     * @param queue waiting and running tasks, workers, the most it holds, and the wait of a task added now
     */
    record Snapshot(BackendReadiness readiness, Set<String> servedModels, LocalQueueState queue) {

        public Snapshot {
            servedModels = Set.copyOf(servedModels);
        }
    }
}
