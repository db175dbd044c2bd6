package dev.wanhybrid.gateway.budget;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link JdbcSpendLedger#reconcileCounters} every {@code gateway.budget.counter-reconcile} (0 = never) on a
 * daemon thread of its own, and stops with the context.
 */
final class CounterReconciler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CounterReconciler.class);

    private final ScheduledExecutorService executor;

    CounterReconciler(JdbcSpendLedger ledger, Duration every) {
        if (every.isZero()) {
            executor = null;
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("budget-reconcile").daemon().factory());
        executor.scheduleWithFixedDelay(() -> {
            try {
                ledger.reconcileCounters();
            } catch (RuntimeException e) {
                log.warn("budget counter reconciliation failed", e);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
