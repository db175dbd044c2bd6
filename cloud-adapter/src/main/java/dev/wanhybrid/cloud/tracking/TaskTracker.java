package dev.wanhybrid.cloud.tracking;

import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.DashScopeException;
import dev.wanhybrid.cloud.ErrorCategory;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.CloudModel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Follows many DashScope tasks from one scheduler thread: adaptive poll intervals per task, one account-wide
 * query rate ({@link PacedRateLimiter}, 20/s by default), and per-model concurrency permits
 * ({@link ConcurrencyLimits}) behind which {@link #submit} queues locally instead of provoking 429s.
 *
 * <p>For applications that use this library alone. (The gateway's job dispatcher polls its own jobs and uses only
 * the limits, so no task ever has two pollers.) Queries are sent with the HTTP client's asynchronous API, so no
 * thread waits on the network; creates run on virtual threads. All tracker state is confined to the scheduler
 * thread. A 429 pauses every query for the advised time (the limit is per account); an error or outage backs
 * off the task and keeps it: no task is dropped until it ends or stays UNKNOWN.
 */
public final class TaskTracker implements AutoCloseable {

    private static final int UNKNOWN_CONFIRMATIONS = 3;
    private static final long DEFAULT_THROTTLE_PAUSE = Duration.ofSeconds(1).toNanos();

    private final DashScopeClient client;
    private final PacedRateLimiter queryLimiter;
    private final ConcurrencyLimits limits;
    private final PollPolicy policy;
    private final int maxOutstanding;
    private final LongSupplier nanoTime;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<String, PacedRateLimiter> createPacers = new HashMap<>();

    private final PriorityQueue<Entry> due = new PriorityQueue<>(Comparator.comparingLong((Entry e) -> e.dueNanos));
    private final Map<String, Entry> byTask = new HashMap<>();
    private final Map<String, ArrayDeque<Queued>> queues = new LinkedHashMap<>();
    private long pausedUntil;
    private long createsPausedUntil;
    private int outstanding;
    private ScheduledFuture<?> wake;
    private long wakeAt = Long.MAX_VALUE;
    private long holderSeq;

    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong throttles = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong creates = new AtomicLong();
    private final ArrayDeque<Long> sendTimes = new ArrayDeque<>();
    private volatile int maxPollsInOneSecond;
    private volatile int trackedCount;
    private volatile int queuedCount;

    private TaskTracker(Builder b) {
        this.client = b.client;
        this.queryLimiter = new PacedRateLimiter(b.queriesPerSecond, b.nanoTime);
        this.limits = b.limits != null ? b.limits : ConcurrencyLimits.fromCatalog(client.catalog(), Map.of());
        this.policy = b.policy;
        this.maxOutstanding = b.maxOutstanding;
        this.nanoTime = b.nanoTime;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dashscope-tracker");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        for (CloudModel model : client.catalog().models()) {
            createPacers.put(model.id(), new PacedRateLimiter(model.createsPerSecond(), b.nanoTime));
        }
    }

    public static Builder builder(DashScopeClient client) {
        return new Builder(client);
    }

    /**
     * Queues a create; it is sent when the model has a free concurrency permit and its create rate allows, and
     * the task is then tracked. Validation happens here, so an impossible request fails at once and costs nothing.
     */
    public void submit(VideoRequest request, TaskListener listener) throws DashScopeException {
        CloudModel model = client.checked(request);
        Objects.requireNonNull(listener, "listener");
        scheduler.execute(() -> {
            queues.computeIfAbsent(model.id(), k -> new ArrayDeque<>())
                    .addLast(new Queued(request, model.id(), "queued-" + (++holderSeq), listener, 0));
            queuedCount++;
            pump();
        });
    }

    /** Tracks a task created elsewhere (or found again after a restart); it counts against the model's limit. */
    public void track(String taskId, String model, TaskListener listener) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        scheduler.execute(() -> {
            if (byTask.containsKey(taskId)) {
                return;
            }
            if (model != null) {
                limits.adopt(model, taskId);
            }
            schedule(new Entry(taskId, listener, nanoTime.getAsLong() + policy.firstPoll().toNanos()));
            pump();
        });
    }

    /** Stops following a task (its permit is returned); a query already in flight is ignored when it lands. */
    public void untrack(String taskId) {
        scheduler.execute(() -> {
            Entry e = byTask.remove(taskId);
            if (e != null) {
                e.removed = true;
                due.remove(e);
                trackedCount = byTask.size();
                limits.release(taskId);
                pump();
            }
        });
    }

    /** Tasks being followed now. */
    public int tracked() {
        return trackedCount;
    }

    /** Creates waiting for a permit. */
    public int queued() {
        return queuedCount;
    }

    public Stats stats() {
        return new Stats(polls.get(), throttles.get(), errors.get(), creates.get(), trackedCount, queuedCount,
                maxPollsInOneSecond);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    // ---- everything below runs on the scheduler thread

    private void schedule(Entry e) {
        byTask.put(e.taskId, e);
        due.add(e);
        trackedCount = byTask.size();
    }

    private void pump() {
        long now = nanoTime.getAsLong();
        startCreates(now);
        while (!due.isEmpty() && outstanding < maxOutstanding) {
            Entry head = due.peek();
            long at = Math.max(head.dueNanos, pausedUntil);
            if (at - now > 0) {
                wakeAt(at, now);
                return;
            }
            if (!queryLimiter.tryAcquire()) {
                wakeAt(now + queryLimiter.nanosUntilFree(), now);
                return;
            }
            due.poll();
            outstanding++;
            polls.incrementAndGet();
            recordSend(now);
            client.queryAsync(head.taskId).whenComplete((view, failure) ->
                    scheduler.execute(() -> onAnswer(head, view, failure)));
        }
    }

    /** Keeps the send times of the last second, to report the busiest second the limiter allowed. */
    private void recordSend(long now) {
        sendTimes.addLast(now);
        while (now - sendTimes.peekFirst() >= 1_000_000_000L) {
            sendTimes.removeFirst();
        }
        maxPollsInOneSecond = Math.max(maxPollsInOneSecond, sendTimes.size());
    }

    private void onAnswer(Entry e, TaskView view, Throwable failure) {
        outstanding--;
        long now = nanoTime.getAsLong();
        if (e.removed) {
            pump();
            return;
        }
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof DashScopeException d && d.category() == ErrorCategory.THROTTLED) {
                throttles.incrementAndGet();
                long pause = d.retryAfter() != null ? d.retryAfter().toNanos() : DEFAULT_THROTTLE_PAUSE;
                pausedUntil = Math.max(pausedUntil, now + pause);
                e.dueNanos = pausedUntil;
            } else {
                errors.incrementAndGet();
                e.intervalNanos = policy.grow(e.intervalNanos * 2);
                e.dueNanos = now + e.intervalNanos;
            }
            due.add(e);
            pump();
            return;
        }
        TaskStatus status = view.status();
        boolean finished = status.isTerminal()
                || (status == TaskStatus.UNKNOWN && ++e.unknownAnswers >= UNKNOWN_CONFIRMATIONS);
        if (finished) {
            byTask.remove(e.taskId);
            trackedCount = byTask.size();
            limits.release(e.taskId);
            safely(() -> e.listener.onFinished(view));
        } else {
            if (status != e.lastStatus) {
                e.lastStatus = status;
                e.intervalNanos = policy.minInterval().toNanos();
                safely(() -> e.listener.onChange(view));
            } else {
                e.intervalNanos = policy.grow(e.intervalNanos);
            }
            e.dueNanos = now + e.intervalNanos;
            due.add(e);
        }
        pump();
    }

    private void startCreates(long now) {
        if (createsPausedUntil - now > 0) {
            wakeAt(createsPausedUntil, now);
            return;
        }
        for (ArrayDeque<Queued> queue : queues.values()) {
            while (!queue.isEmpty()) {
                Queued q = queue.peekFirst();
                if (!limits.tryAcquire(q.model, q.holder)) {
                    break;
                }
                PacedRateLimiter pacer = createPacers.get(q.model);
                if (pacer != null && !pacer.tryAcquire()) {
                    wakeAt(now + pacer.nanosUntilFree(), now);
                    break;
                }
                queue.pollFirst();
                queuedCount--;
                Thread.ofVirtual().name("dashscope-create").start(() -> {
                    try {
                        String taskId = client.create(q.request).taskId();
                        scheduler.execute(() -> onCreated(q, taskId));
                    } catch (DashScopeException ex) {
                        scheduler.execute(() -> onCreateFailed(q, ex));
                    }
                });
            }
        }
    }

    private void onCreated(Queued q, String taskId) {
        creates.incrementAndGet();
        limits.rename(q.holder, taskId);
        safely(() -> q.listener.onCreated(q.request, taskId));
        schedule(new Entry(taskId, q.listener, nanoTime.getAsLong() + policy.firstPoll().toNanos()));
        pump();
    }

    private void onCreateFailed(Queued q, DashScopeException ex) {
        limits.release(q.holder);
        long now = nanoTime.getAsLong();
        if (ex.isRetryable()) {
            if (ex.category() == ErrorCategory.THROTTLED) {
                throttles.incrementAndGet();
                long pause = ex.retryAfter() != null ? ex.retryAfter().toNanos() : DEFAULT_THROTTLE_PAUSE;
                createsPausedUntil = Math.max(createsPausedUntil, now + pause);
            } else {
                errors.incrementAndGet();
                long backoff = policy.grow(policy.minInterval().toNanos() * (1L << Math.min(q.attempts, 4)));
                createsPausedUntil = Math.max(createsPausedUntil, now + Math.min(backoff, policy.maxInterval().toNanos()));
            }
            queues.computeIfAbsent(q.model, k -> new ArrayDeque<>()).addFirst(q.retried());
            queuedCount++;
        } else {
            errors.incrementAndGet();
            safely(() -> q.listener.onSubmitFailed(q.request, ex));
        }
        pump();
    }

    private void wakeAt(long at, long now) {
        if (wake != null && wakeAt - at <= 0) {
            return;
        }
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAt = at;
        wake = scheduler.schedule(() -> {
            // Forget this wake-up before pumping, so the pump can arrange the next one.
            wake = null;
            wakeAt = Long.MAX_VALUE;
            pump();
        }, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }

    private static void safely(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            // A listener's bug must not stop the tracker; it only loses that one notification.
            System.getLogger(TaskTracker.class.getName()).log(System.Logger.Level.WARNING, "task listener failed", e);
        }
    }

    private static final class Entry {
        final String taskId;
        final TaskListener listener;
        long dueNanos;
        long intervalNanos;
        TaskStatus lastStatus;
        int unknownAnswers;
        boolean removed;

        Entry(String taskId, TaskListener listener, long dueNanos) {
            this.taskId = taskId;
            this.listener = listener;
            this.dueNanos = dueNanos;
        }
    }

    private record Queued(VideoRequest request, String model, String holder, TaskListener listener, int attempts) {
        Queued retried() {
            return new Queued(request, model, holder, listener, attempts + 1);
        }
    }

    /**
     * Counters since start.
     *
     * @param polls queries sent
     * @param throttled 429 answers (queries and creates)
     * @param errors other failed calls
     * @param creates tasks created
     * @param tracked tasks followed now
     * @param queued creates waiting for a permit
     * @param maxPollsInOneSecond the most queries sent within any sliding one-second window (send times)
     */
    public record Stats(long polls, long throttled, long errors, long creates, int tracked, int queued,
            int maxPollsInOneSecond) {}

    /** Configures a {@link TaskTracker}. */
    public static final class Builder {
        private final DashScopeClient client;
        private double queriesPerSecond = 20;
        private ConcurrencyLimits limits;
        private PollPolicy policy = PollPolicy.DEFAULT;
        private int maxOutstanding = 64;
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(DashScopeClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The account-wide query limit (DashScope: 20 per second, shared by all keys). */
        public Builder queriesPerSecond(double value) {
            if (!(value > 0)) {
                throw new IllegalArgumentException("queriesPerSecond must be positive, was " + value);
            }
            this.queriesPerSecond = value;
            return this;
        }

        public Builder limits(ConcurrencyLimits value) { this.limits = value; return this; }

        public Builder pollPolicy(PollPolicy value) { this.policy = Objects.requireNonNull(value); return this; }

        /** Queries allowed in flight at once, which bounds memory and the HTTP client's threads. */
        public Builder maxOutstanding(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxOutstanding must be >= 1, was " + value);
            }
            this.maxOutstanding = value;
            return this;
        }

        public TaskTracker build() {
            return new TaskTracker(this);
        }
    }
}
