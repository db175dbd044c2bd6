package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The queue of a self-hosted backend (this JVM's engines, the cluster's GPU workers, a remote server) as routing sees it.
 *
 * @param queued tasks waiting for a worker
 * @param running tasks on a device now
 * @param workers workers (devices) able to run tasks
 * @param capacity how many tasks (queued plus running) it holds at most; {@code 0} when unbounded
 * @param estimatedWait how long a task submitted now waits before a worker starts it
 * @param tasks each waiting and running task, for a plan job by job; {@code null} when the backend reports only
 *     the counts and the wait (the cluster's fleet view)
 */
public record LocalQueueState(int queued, int running, int workers, int capacity, Duration estimatedWait,
        List<Task> tasks) {

    public static final LocalQueueState IDLE = new LocalQueueState(0, 0, 1, 0, Duration.ZERO, List.of());

    /**
     * One task as the plan needs it.
     *
     * @param model the catalog model it runs on
     * @param size the frame size it makes
     * @param seconds the clip length
     * @param dueBy when it must be finished, or {@code null}
     * @param startedAt when a worker started it, or {@code null} while it waits
     * @param arrival its place in arrival order (ties between equal deadlines)
     */
    public record Task(String model, VideoSize size, int seconds, Instant dueBy, Instant startedAt, long arrival) {}

    /** A queue known only by its counts and its wait. */
    public LocalQueueState(int queued, int running, int workers, int capacity, Duration estimatedWait) {
        this(queued, running, workers, capacity, estimatedWait, null);
    }

    public boolean isFull() {
        return capacity > 0 && queued + running >= capacity;
    }

    public LocalQueueState {
        estimatedWait = estimatedWait == null ? Duration.ZERO : estimatedWait;
        tasks = tasks == null ? null : List.copyOf(tasks);
    }
}
