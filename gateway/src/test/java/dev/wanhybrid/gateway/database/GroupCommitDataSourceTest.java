package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on an H2 file: what a commit has acknowledged is in the file (a copy of the file taken at that
 * moment, as {@code kill -9} would leave it, holds it), concurrent commits share writes, reads do not wait, and a
 * store that cannot write makes the commit fail instead of acknowledging it.
 */
class GroupCommitDataSourceTest {

    static final int THREADS = 16;
    static final int ROWS_PER_THREAD = 25;

    @TempDir
    Path dir;

    HikariDataSource pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    DataSource groupCommitted(Duration interval) throws Exception {
        return groupCommitted(interval, ";WRITE_DELAY=0");
    }

    DataSource groupCommitted(Duration interval, String urlSettings) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db/gateway") + urlSettings);
        config.setUsername("sa");
        config.setMaximumPoolSize(THREADS);
        pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, thread INT)");
        }
        return GroupCommitDataSource.over(pool, interval);
    }

    @Test
    void everyAcknowledgedCommitIsInTheFileAndConcurrentCommitsShareWrites() throws Exception {
        everyAcknowledgedCommitIsInTheFile(groupCommitted(Duration.ofMillis(20)));
    }

    /** The same with what the gateway ships: compressed pages, no pause between writes. */
    @Test
    void everyAcknowledgedCommitIsInTheFileWithTheShippedSettings() throws Exception {
        everyAcknowledgedCommitIsInTheFile(groupCommitted(H2GroupCommitConfiguration.DEFAULT_INTERVAL,
                H2FileFootprintTest.shippedSettings()));
    }

    private void everyAcknowledgedCommitIsInTheFile(DataSource dataSource) throws Exception {
        assertThat(dataSource).isInstanceOf(GroupCommitDataSource.class);
        H2GroupCommit groupCommit = ((GroupCommitDataSource) dataSource).groupCommit();
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < ROWS_PER_THREAD; i++) {
                        insert(dataSource, thread * 1000 + i, thread, i % 2 == 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        // Every insert returned, so each is acknowledged: a copy of the file now (what the disk holds if the
        // process is killed this instant) must hold all of them, although H2's own write delay is 500 ms.
        Path copy = Files.createDirectories(dir.resolve("copy")).resolve("gateway.mv.db");
        Files.copy(dir.resolve("db/gateway.mv.db"), copy);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("copy/gateway"), "sa", "");
                Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(THREADS * ROWS_PER_THREAD);
        }
        assertThat(groupCommit.commitsWritten()).isEqualTo(THREADS * ROWS_PER_THREAD);
        assertThat(groupCommit.writes()).as("shared writes for %d commits", THREADS * ROWS_PER_THREAD)
                .isLessThan(THREADS * ROWS_PER_THREAD);
    }

    @Test
    void aConnectionThatOnlyReadsDoesNotWaitForAWrite() throws Exception {
        DataSource dataSource = groupCommitted(Duration.ZERO);
        H2GroupCommit groupCommit = ((GroupCommitDataSource) dataSource).groupCommit();
        insert(dataSource, 1, 0, true);
        long writes = groupCommit.writes();

        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM t")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
            c.commit();
            c.setAutoCommit(true);
        }

        assertThat(groupCommit.commitsWritten()).isEqualTo(1);
        assertThat(groupCommit.writes()).isEqualTo(writes);
    }

    @Test
    void aStoreThatCannotWriteFailsTheCommitInsteadOfAcknowledgingIt() throws Exception {
        DataSource dataSource = groupCommitted(Duration.ZERO);
        MVStore store = H2FileHousekeeping.fileStoreOf(pool).orElseThrow();
        H2GroupCommit groupCommit = new H2GroupCommit(store, Duration.ZERO);
        insert(dataSource, 1, 0, true);

        Connection c = pool.getConnection();
        c.createStatement().execute("SHUTDOWN");
        pool.evictConnection(c);

        assertThatThrownBy(groupCommit::awaitWritten).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** One row, in a transaction of its own or in auto-commit mode. */
    static void insert(DataSource dataSource, int id, int thread, boolean transaction) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(!transaction);
            try (var insert = c.prepareStatement("INSERT INTO t (id, thread) VALUES (?, ?)")) {
                insert.setInt(1, id);
                insert.setInt(2, thread);
                insert.executeUpdate();
            }
            if (transaction) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }
}
