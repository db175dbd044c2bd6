package dev.wanhybrid.gateway.schedule;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background round that repeats with a fixed delay between the end of a round and the start of the next, on a
 * daemon thread of its own (named after the task, so a thread dump says what runs), so a slow round of one task
 * (a provider that takes its time to list tasks) never delays another's. A round that throws is logged and the
 * next one runs as planned; stopping interrupts a round in progress and no new round starts.
 *
 * <p>{@link #wake()} runs an extra round soon, on the same thread, when something happened that the next round
 * would otherwise only see after its delay (an event was committed); wake-ups that arrive while one is pending fold
 * into it, since what the round reads holds everything they announced.
 *
 * <p>The gateway's periodic work (the job dispatcher, SSE and webhook delivery, breaker probes, billing and
 * budget-counter reconciliation, fleet heartbeats) runs on this, so starting, stopping, waking and failure handling
 * have one home and one test.
 *
 * <p>Thread-safe.
 */
public final class PeriodicTask implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    /** How long {@link #stop()} waits for a round in progress to end. */
    public static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Duration initialDelay;
    private final Duration delay;
    private final Runnable round;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile ScheduledExecutorService executor;

    /**
     * @param name the thread's name and the log's subject
     * @param initialDelay before the first round (zero: at once)
     * @param delay between the end of one round and the start of the next; zero or negative means the task never
     *     runs (a setting of {@code 0} switches it off)
     * @param round the work of one round
     */
    public PeriodicTask(String name, Duration initialDelay, Duration delay, Runnable round) {
        this.name = Objects.requireNonNull(name, "name");
        this.initialDelay = initialDelay.isNegative() ? Duration.ZERO : initialDelay;
        this.delay = Objects.requireNonNull(delay, "delay");
        this.round = Objects.requireNonNull(round, "round");
    }

    /** A task whose first round comes one {@code delay} after {@link #start()}. */
    public static PeriodicTask every(String name, Duration delay, Runnable round) {
        return new PeriodicTask(name, delay, delay, round);
    }

    /** Starts the rounds; a second call while running does nothing; a disabled task (delay not positive) stays off. */
    public synchronized void start() {
        if (executor != null || !enabled()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon(true).factory());
        executor.scheduleWithFixedDelay(this::runRound, initialDelay.toNanos(), delay.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** Runs one round soon on the task's thread unless one is already pending; does nothing while stopped. */
    public void wake() {
        ScheduledExecutorService current = executor;
        if (current == null || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            current.execute(() -> {
                wakePending.set(false);
                runRound();
            });
        } catch (RejectedExecutionException e) {
            // Stopping: nothing is left to wake.
            wakePending.set(false);
        }
    }

    /**
     * Stops the rounds, interrupting one in progress, and returns once it has ended (at most {@link #STOP_WAIT}), so
     * what the caller does next (removing a heartbeat row) comes after the last round. The task may be started
     * again.
     */
    public synchronized void stop() {
        stop(true);
    }

    /**
     * Stops the rounds like {@link #stop()}, but lets a round in progress finish instead of interrupting it: for a
     * round that does blocking I/O on a channel it shares with others, which an interrupt would close for all of
     * them (a {@code FileChannel} is closed when a thread blocked on it is interrupted; H2 then closes its database).
     */
    public synchronized void stopAfterRound() {
        stop(false);
    }

    private void stop(boolean interrupt) {
        if (executor == null) {
            return;
        }
        if (interrupt) {
            executor.shutdownNow();
        } else {
            executor.shutdown();
        }
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{}: the round in progress did not end within {} of stopping", name, STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Whether the configured delay lets the task run at all. */
    public boolean enabled() {
        return delay.isPositive();
    }

    /** Rounds finished since construction, failed ones included. */
    public long rounds() {
        return rounds.get();
    }

    /** Rounds that threw. */
    public long failures() {
        return failures.get();
    }

    private void runRound() {
        try {
            round.run();
        } catch (RuntimeException | Error e) {
            failures.incrementAndGet();
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
            log.warn("{} round failed: {}", name, e.toString());
            log.debug("{} round failure", name, e);
        } finally {
            rounds.incrementAndGet();
        }
    }
}
