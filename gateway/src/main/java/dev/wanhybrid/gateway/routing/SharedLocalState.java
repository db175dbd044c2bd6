package dev.wanhybrid.gateway.routing;

/**
 * The local backend as a cluster sees it, when the engines may live in other processes (GPU workers sharing the
 * database); the route planner uses it instead of the in-process backend whenever {@link #active()} says so.
 */
public interface SharedLocalState {

    /** Whether this process reads the local backend from the shared state (false on a single machine). */
    boolean active();

    /** The local backend's health: ready when this process or a worker with a fresh heartbeat serves models. */
    BackendHealth health(BackendHealth inProcess);

    /** The cluster's local queue: waiting local jobs and the engine queues of live workers. */
    LocalQueueState queue();
}
