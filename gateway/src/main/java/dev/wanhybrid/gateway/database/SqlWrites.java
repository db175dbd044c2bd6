package dev.wanhybrid.gateway.database;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Where a store puts the statements of a write that a caller may send together with other stores' ones: either run
 * at once in the caller's transaction ({@link #now}), or collected and sent later in one round trip
 * ({@link OneRoundTrip}). A store writes through this instead of its {@code JdbcClient} where such a caller exists
 * (the submissions written in groups).
 */
public interface SqlWrites {

    /** Runs (or queues) one statement with positional parameters. */
    void update(String sql, List<Object> params);

    /** Runs {@code action} once the write has committed; never when it rolled back. */
    void afterCommit(Runnable action);

    /** Runs {@code action} once the write has committed or rolled back. */
    void afterCompletion(Runnable action);

    /**
     * Statements run at once through {@code jdbc}, in the caller's transaction; the actions run when it ends (at once
     * outside a transaction).
     */
    static SqlWrites now(JdbcClient jdbc) {
        return new SqlWrites() {
            @Override
            public void update(String sql, List<Object> params) {
                jdbc.sql(sql).params(params).update();
            }

            @Override
            public void afterCommit(Runnable action) {
                whenTransactionEnds(action, true);
            }

            @Override
            public void afterCompletion(Runnable action) {
                whenTransactionEnds(action, false);
            }
        };
    }

    /** Runs {@code action} when the current transaction ends ({@code committedOnly}: if it committed), or now. */
    private static void whenTransactionEnds(Runnable action, boolean committedOnly) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (!committedOnly || status == STATUS_COMMITTED) {
                    action.run();
                }
            }
        });
    }
}
