package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.time.Duration;

/**
 * Runs {@link JdbcSpendLedger#reconcileCounters} every {@code gateway.budget.counter-reconcile} (0 = never) on a
 * daemon thread of its own, and stops with the context.
 */
final class CounterReconciler implements AutoCloseable {

    private final PeriodicTask schedule;

    CounterReconciler(JdbcSpendLedger ledger, Duration every) {
        schedule = PeriodicTask.every("budget-reconcile", every, ledger::reconcileCounters);
        schedule.start();
    }

    @Override
    public void close() {
        schedule.stop();
    }
}
