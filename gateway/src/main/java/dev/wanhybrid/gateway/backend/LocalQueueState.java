package dev.wanhybrid.gateway.backend;

import java.time.Duration;

/**
 * The queue of a self-hosted backend (this JVM's engines, the cluster's GPU workers, a remote server) as routing sees it.
 *
 * @param queued tasks waiting for a worker
 * @param running tasks on a device now
 * @param workers workers (devices) able to run tasks
 * @param capacity how many tasks (queued plus running) it holds at most; {@code 0} when unbounded
 * @param estimatedWait how long a task submitted now waits before a worker starts it
 */
public record LocalQueueState(int queued, int running, int workers, int capacity, Duration estimatedWait) {

    public static final LocalQueueState IDLE = new LocalQueueState(0, 0, 1, 0, Duration.ZERO);

    public boolean isFull() {
        return capacity > 0 && queued + running >= capacity;
    }

    public LocalQueueState {
        estimatedWait = estimatedWait == null ? Duration.ZERO : estimatedWait;
    }
}
