package dev.wanhybrid.gateway.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Statements written as one transaction in one round trip to PostgreSQL: sent together as one multi-statement
 * prepared statement on a connection in auto-commit mode. The PostgreSQL driver sends every statement's
 * parse/bind/execute and then a single {@code Sync}; the server runs everything before that {@code Sync} as one
 * implicit transaction, committed at the {@code Sync} (rolled back whole when any statement fails), and answers only
 * once the commit is durable as {@code synchronous_commit} says. So {@link #commit} returns once all of them are
 * committed, or throws with none of them kept, like a transaction of its own, but in one round trip instead of one
 * per statement plus the {@code COMMIT}'s (SubmitTransactionOnPostgresIT checks the rollback).
 *
 * <p>PostgreSQL only (H2 runs one statement per prepared statement), and never inside a transaction of the
 * caller's: it takes a connection of its own.
 */
public final class OneRoundTrip implements SqlWrites {

    private final List<String> statements = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterCompletion = new ArrayList<>();

    @Override
    public void update(String sql, List<Object> params) {
        statements.add(sql);
        this.params.addAll(params);
    }

    @Override
    public void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    @Override
    public void afterCompletion(Runnable action) {
        afterCompletion.add(action);
    }

    /**
     * Sends the statements on a connection of {@code jdbc}'s data source and returns once they are committed.
     *
     * @throws org.springframework.dao.DataAccessException what the database refused; nothing was kept then
     * @throws IllegalStateException when called inside a transaction, which these statements would not be part of
     */
    public void commit(JdbcTemplate jdbc) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("one round trip is a transaction of its own, not part of the caller's");
        }
        try {
            if (!statements.isEmpty()) {
                jdbc.execute((ConnectionCallback<Void>) connection -> {
                    send(connection);
                    return null;
                });
            }
        } finally {
            afterCompletion.forEach(Runnable::run);
        }
        afterCommit.forEach(Runnable::run);
    }

    private void send(Connection connection) throws java.sql.SQLException {
        if (!connection.getAutoCommit()) {
            // The pool resets it when the connection comes back.
            connection.setAutoCommit(true);
        }
        try (PreparedStatement statement = connection.prepareStatement(String.join(";\n", statements))) {
            new ArgumentPreparedStatementSetter(params.toArray()).setValues(statement);
            statement.execute();
        }
    }
}
