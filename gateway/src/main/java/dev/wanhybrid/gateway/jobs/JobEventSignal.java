package dev.wanhybrid.gateway.jobs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Rings when this instance has committed a job event, so what delivers events (SSE streams, webhooks) reads them at
 * once instead of at its next poll. Listeners must only hand work to their own thread: they run on the thread that
 * wrote the event. Events written by another instance are still found by the readers' own polls. An event written
 * inside a wider transaction (a submission's) rings once that transaction commits, so a reader woken by it finds it.
 */
@Component
public class JobEventSignal {

    private static final Logger log = LoggerFactory.getLogger(JobEventSignal.class);

    private final List<Consumer<Job>> listeners = new CopyOnWriteArrayList<>();

    /** Registers {@code listener}, called with the job after each committed event of it; it must not block. */
    public void listen(Consumer<Job> listener) {
        listeners.add(listener);
    }

    /** Rings for {@code job}'s new event now, or when the transaction that wrote it commits. */
    void committed(Job job) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    ring(job);
                }
            });
        } else {
            ring(job);
        }
    }

    /** Rings for {@code job}'s new event now (its write has committed). */
    void ring(Job job) {
        for (Consumer<Job> listener : listeners) {
            try {
                listener.accept(job);
            } catch (RuntimeException e) {
                log.warn("a job event listener failed: {}", e.toString());
            }
        }
    }
}
