package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wanhybrid.gateway.e2e.support.FreshPostgresDatabases;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Statements sent in one round trip on a real PostgreSQL server are one transaction: all kept, or, when any of them
 * fails, none, the ones before the failing statement included; the actions after the commit run only for a kept
 * write.
 */
class OneRoundTripIT {

    private static FreshPostgresDatabases postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = new FreshPostgresDatabases("onetrip");
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A pooled database with tables a and b, and the key 'taken' in b already. */
    private static HikariDataSource database() {
        DataSource fresh = postgres.fresh();
        HikariConfig config = new HikariConfig();
        config.setDataSource(fresh);
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        JdbcClient jdbc = JdbcClient.create(pool);
        jdbc.sql("CREATE TABLE a (id TEXT PRIMARY KEY, n INT)").update();
        jdbc.sql("CREATE TABLE b (id TEXT PRIMARY KEY)").update();
        jdbc.sql("INSERT INTO b VALUES ('taken')").update();
        return pool;
    }

    private static long count(DataSource dataSource, String table) {
        return JdbcClient.create(dataSource).sql("SELECT COUNT(*) FROM " + table).query(Long.class).single();
    }

    @Test
    void everyStatementIsKeptAndTheActionsRun() {
        try (HikariDataSource pool = database()) {
            List<String> ran = new ArrayList<>();
            OneRoundTrip trip = new OneRoundTrip();
            trip.update("INSERT INTO a VALUES (?, ?), (?, ?)", List.of("x", 1, "y", 2));
            trip.afterCommit(() -> ran.add("commit:" + count(pool, "a")));
            trip.afterCompletion(() -> ran.add("completion"));
            trip.update("INSERT INTO b VALUES (?)", List.of("z"));

            trip.commit(new JdbcTemplate(pool));

            assertThat(count(pool, "a")).isEqualTo(2);
            assertThat(count(pool, "b")).isEqualTo(2);
            // Seen from another connection: committed before the action ran.
            assertThat(ran).containsExactly("completion", "commit:2");
        }
    }

    @Test
    void aFailingStatementKeepsNoneOfThoseBeforeIt() {
        try (HikariDataSource pool = database()) {
            List<String> ran = new ArrayList<>();
            OneRoundTrip trip = new OneRoundTrip();
            trip.update("INSERT INTO a VALUES (?, ?), (?, ?)", List.of("x", 1, "y", 2));
            trip.update("INSERT INTO b VALUES (?)", List.of("z"));
            trip.update("INSERT INTO b VALUES (?)", List.of("taken"));
            trip.afterCommit(() -> ran.add("commit"));
            trip.afterCompletion(() -> ran.add("completion"));

            assertThatThrownBy(() -> trip.commit(new JdbcTemplate(pool))).isInstanceOf(DuplicateKeyException.class);

            assertThat(count(pool, "a")).isZero();
            assertThat(count(pool, "b")).isEqualTo(1);
            assertThat(ran).containsExactly("completion");
            // The connections went back to the pool usable, outside any transaction: the same rows go in now.
            OneRoundTrip again = new OneRoundTrip();
            again.update("INSERT INTO a VALUES (?, ?), (?, ?)", List.of("x", 1, "y", 2));
            again.commit(new JdbcTemplate(pool));
            assertThat(count(pool, "a")).isEqualTo(2);
        }
    }

    @Test
    void isNeverPartOfTheCallersTransaction() {
        try (HikariDataSource pool = database()) {
            OneRoundTrip trip = new OneRoundTrip();
            trip.update("INSERT INTO a VALUES (?, ?)", List.of("x", 1));
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(pool));

            assertThatThrownBy(() -> tx.executeWithoutResult(status -> trip.commit(new JdbcTemplate(pool))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction of its own");
            assertThat(count(pool, "a")).isZero();
        }
    }
}
