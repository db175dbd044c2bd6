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
 * @param suspends whether its engines can suspend a run at a step boundary and resume it later (what pre-emption
 *     needs: {@link LocalCapacity#suspend})
 */
public record LocalQueueState(int queued, int running, int workers, int capacity, Duration estimatedWait,
        List<Task> tasks, boolean suspends) {

    public static final LocalQueueState IDLE = new LocalQueueState(0, 0, 1, 0, Duration.ZERO, List.of());

    /** A queue reported task by task whose engines cannot suspend. */
    public LocalQueueState(int queued, int running, int workers, int capacity, Duration estimatedWait,
            List<Task> tasks) {
        this(queued, running, workers, capacity, estimatedWait, tasks, false);
    }

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
    public record Task(String model, VideoSize size, int seconds, Instant dueBy, Instant startedAt, long arrival,
            Run run) {

        /** A task as a plan without pre-emption needs it. */
        public Task(String model, VideoSize size, int seconds, Instant dueBy, Instant startedAt, long arrival) {
            this(model, size, seconds, dueBy, startedAt, arrival, null);
        }
    }

    /**
     * What pre-emption needs to know of a task besides its place in the plan.
     *
     * @param taskId the backend's task id, which {@link LocalCapacity#suspend} takes
     * @param jobId the job it runs
     * @param hedgeAt its hedge point when it is a hedged run (never suspended), else {@code null}
     * @param workLeftAtStart the share of its work its current (or next) run starts with: 1 for a task never
     *     suspended, less for one that resumes where a suspension left it
     * @param workLeft the share of its work still to do now, from its progress; {@code NaN} when it has reported none
     * @param suspending whether a suspension was asked and its run has not reached its step boundary yet
     */
    public record Run(String taskId, String jobId, Instant hedgeAt, double workLeftAtStart, double workLeft,
            boolean suspending) {}

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
