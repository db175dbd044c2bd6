package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What {@link H2FileHousekeeping} does on its own, with nothing else writing: the space of deleted rows is freed for
 * reuse once their chunks have been dead for the chunk retention time, without waiting for the next commit; and a file
 * whose start was freed while its end still holds live rows shrinks while open, its rows intact, as does a quiet
 * file whose end was freed.
 */
class H2FileHousekeepingTest {

    @TempDir
    Path dir;

    @Test
    void spaceOfRowsDeletedInOneLastCommitIsFreedWhileTheStoreIsQuiet() throws Exception {
        HikariConfig config = config("quiet");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcClient sql = JdbcClient.create(pool);
            sql.sql("CREATE TABLE payload (id INT PRIMARY KEY, body VARCHAR(4000))").update();
            Random random = new Random(19);
            for (int i = 0; i < 2_000; i++) {
                sql.sql("INSERT INTO payload VALUES (?, ?)").params(i, randomText(random)).update();
            }
            H2FileHousekeeping housekeeping = new H2FileHousekeeping(pool, H2FileHousekeeping.DEFAULT_INTERVAL,
                H2FileHousekeeping.DEFAULT_CHUNK_RETENTION, H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND,
                    H2FileHousekeeping.DEFAULT_MOVE_PER_ROUND);
            try {
                Thread.sleep(2_500);
                long full = H2Space.usedBytes(housekeeping);
                assertThat(full).as("bytes in use with 2,000 rows of 2 KB").isGreaterThan(2_000_000L);

                // One commit deletes everything, and nothing is written after it.
                sql.sql("DELETE FROM payload").update();
                long target = full / 4;
                long used = firstBelow(target, () -> H2Space.usedBytes(housekeeping));
                assertThat(used).as("bytes in use after the delete, against %d before", full).isLessThan(target);
            } finally {
                housekeeping.destroy();
            }
        }
    }

    @Test
    void fileWhoseStartWasFreedShrinksWhileOpenAndKeepsItsRows() throws Exception {
        HikariConfig config = config("holes");
        int rows = 3_000;
        int kept = 300;
        Path file = dir.resolve("holes.mv.db");
        Map<Integer, String> keptRows = new HashMap<>();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcClient sql = JdbcClient.create(pool);
            sql.sql("CREATE TABLE payload (id INT PRIMARY KEY, body VARCHAR(4000))").update();
            sql.sql("CREATE TABLE later (id INT PRIMARY KEY)").update();
            // One row a commit, before any housekeeping (H2 alone reuses nothing for 45 s): the file fills in order.
            // The rows kept are written last and in one commit, so they sit in one full chunk at the file's end that
            // compaction (which rewrites sparse chunks) leaves where it is: only a move can take it elsewhere.
            Random random = new Random(23);
            for (int i = 0; i < rows - kept; i++) {
                sql.sql("INSERT INTO payload VALUES (?, ?)").params(i, randomText(random)).update();
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO payload VALUES (?, ?)")) {
                    for (int i = rows - kept; i < rows; i++) {
                        String body = randomText(random);
                        insert.setInt(1, i);
                        insert.setString(2, body);
                        insert.addBatch();
                        keptRows.put(i, body);
                    }
                    insert.executeBatch();
                }
                c.commit();
            }
            long full = Files.size(file);
            assertThat(full).as("file with %d rows of 2 KB", rows).isGreaterThan(16_000_000L);

            // Everything but the last rows goes in one commit: the file's start is free, its end is not. The
            // housekeeping moves chunks while the holes add up to 16 MB or more, so the file ends at most that far
            // above its live chunks. A gateway in use goes on writing (a row every 100 ms here); H2 truncates the
            // file when it writes a chunk before its end.
            sql.sql("DELETE FROM payload WHERE id < ?").param(rows - kept).update();
            H2FileHousekeeping housekeeping = new H2FileHousekeeping(pool, H2FileHousekeeping.DEFAULT_INTERVAL,
                    H2FileHousekeeping.DEFAULT_CHUNK_RETENTION, H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND,
                    H2FileHousekeeping.DEFAULT_MOVE_PER_ROUND);
            try {
                long target = full / 3;
                int[] written = {0};
                long size = firstBelow(target, () -> {
                    sql.sql("INSERT INTO later VALUES (?)").param(written[0]++).update();
                    return Files.size(file);
                });
                assertThat(size).as("open file after deleting %d of %d rows, against %d bytes before",
                        rows - kept, rows, full).isLessThan(target);
            } finally {
                housekeeping.destroy();
            }
            pool.getConnection().createStatement().execute("SHUTDOWN");
        }
        // Reopened from the moved chunks: every kept row is there, byte for byte.
        try (HikariDataSource reopened = new HikariDataSource(config)) {
            Map<Integer, String> read = new HashMap<>();
            JdbcClient.create(reopened).sql("SELECT id, body FROM payload").query(r -> {
                read.put(r.getInt(1), r.getString(2));
            });
            assertThat(read).isEqualTo(keptRows);
        }
    }

    @Test
    void fileWhoseEndWasFreedShrinksWhileTheStoreIsQuiet() throws Exception {
        HikariConfig config = config("tail");
        int rows = 4_000;
        int kept = 400;
        Path file = dir.resolve("tail.mv.db");
        Map<Integer, String> keptRows = new HashMap<>();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcClient sql = JdbcClient.create(pool);
            sql.sql("CREATE TABLE payload (id INT PRIMARY KEY, body VARCHAR(4000))").update();
            Random random = new Random(29);
            for (int i = 0; i < rows; i++) {
                String body = randomText(random);
                sql.sql("INSERT INTO payload VALUES (?, ?)").params(i, body).update();
                if (i < kept) {
                    keptRows.put(i, body);
                }
            }
            H2FileHousekeeping housekeeping = new H2FileHousekeeping(pool, H2FileHousekeeping.DEFAULT_INTERVAL,
                    H2FileHousekeeping.DEFAULT_CHUNK_RETENTION, H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND,
                    H2FileHousekeeping.DEFAULT_MOVE_PER_ROUND);
            try {
                long full = Files.size(file);
                assertThat(full).as("file with %d rows of 2 KB", rows).isGreaterThan(32_000_000L);
                // The rows written last go in one commit and nothing is written after it: the file's end is free and
                // no write of the gateway's own would let H2 truncate it. The housekeeping's chunk moves do (they
                // run once the holes add up to 16 MB).
                sql.sql("DELETE FROM payload WHERE id >= ?").param(kept).update();
                long target = full / 4;
                long size = firstBelow(target, () -> Files.size(file));
                assertThat(size).as("quiet file after deleting its last %d of %d rows, against %d bytes before",
                        rows - kept, rows, full).isLessThan(target);
            } finally {
                housekeeping.destroy();
            }
            Map<Integer, String> read = new HashMap<>();
            sql.sql("SELECT id, body FROM payload").query(r -> {
                read.put(r.getInt(1), r.getString(2));
            });
            assertThat(read).isEqualTo(keptRows);
        }
    }

    /** A pool of two connections on the file {@code name} in the test's folder, with the shipped URL settings. */
    private HikariConfig config(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve(name) + H2FileFootprintTest.shippedSettings());
        config.setUsername("sa");
        config.setMaximumPoolSize(2);
        return config;
    }

    /** 2,000 characters of random text (the shipped URL compresses pages; repeated text would compress to nothing). */
    static String randomText(Random random) {
        byte[] bytes = new byte[1_500];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A reading polled until it is under {@code target}, at most thirty seconds: the first under it, or the last. */
    interface Reading {
        long read() throws Exception;
    }

    static long firstBelow(long target, Reading reading) throws Exception {
        long value = reading.read();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (value >= target && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = reading.read();
        }
        return value;
    }
}
