package dev.wanhybrid.gateway.backend;

import java.util.Set;

/**
 * What a self-hosted backend can take on now: the models and LoRAs it serves, its queue and how much room is left.
 *
 * <p>Routing and the API read it without knowing where the engines are: in this JVM ({@code LocalBackend}), on the
 * cluster's GPU workers (the fleet view), or, later, on a remote server. Reading it is free and never fails a
 * request: an implementation that cannot tell answers "not ready" with the reason.
 */
public interface LocalCapacity {

    /** Whether work can run now, and if not, what is missing. */
    BackendReadiness readiness();

    /** The catalog models that can run now; empty when none can. */
    Set<String> servedModels();

    /** The LoRA names a request may ask for. */
    Set<String> servedLoras();

    /** The queue: waiting and running tasks, workers, the most it holds, and the wait of a task added now. */
    LocalQueueState queue();
}
