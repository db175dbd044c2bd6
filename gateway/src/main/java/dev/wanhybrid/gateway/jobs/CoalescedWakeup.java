package dev.wanhybrid.gateway.jobs;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a task on its owner's executor when woken, folding the wake-ups that arrive while a run is pending into
 * that run; what the task reads (the event log) holds everything the folded wake-ups announced.
 */
public final class CoalescedWakeup {

    private final Runnable task;
    private final AtomicBoolean pending = new AtomicBoolean();

    public CoalescedWakeup(Runnable task) {
        this.task = task;
    }

    /** Queues one run of the task on {@code executor} unless one is pending; a {@code null} executor is a no-op. */
    public void wake(Executor executor) {
        if (executor == null || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                pending.set(false);
                task.run();
            });
        } catch (RejectedExecutionException e) {
            // The owner is shutting down; nothing is left to wake.
            pending.set(false);
        }
    }
}
