package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What {@link H2FileHousekeeping} does on its own, with nothing else writing: the space of deleted rows is freed for
 * reuse once their chunks have been dead for the chunk retention time, without waiting for the next commit.
 */
class H2FileHousekeepingTest {

    @TempDir
    Path dir;

    @Test
    void spaceOfRowsDeletedInOneLastCommitIsFreedWhileTheStoreIsQuiet() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("quiet") + H2FileFootprintTest.shippedSettings());
        config.setUsername("sa");
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcClient sql = JdbcClient.create(pool);
            sql.sql("CREATE TABLE payload (id INT PRIMARY KEY, body VARCHAR(4000))").update();
            // Random text: the shipped URL compresses pages, and a repeated letter would compress to nothing.
            Random random = new Random(19);
            for (int i = 0; i < 2_000; i++) {
                byte[] bytes = new byte[1_500];
                random.nextBytes(bytes);
                sql.sql("INSERT INTO payload VALUES (?, ?)").params(i, Base64.getEncoder().encodeToString(bytes))
                        .update();
            }
            H2FileHousekeeping housekeeping = new H2FileHousekeeping(pool, Duration.ofMillis(100),
                    Duration.ofSeconds(1), H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND);
            try {
                Thread.sleep(2_500);
                long full = H2Space.usedBytes(housekeeping);
                assertThat(full).as("bytes in use with 2,000 rows of 2 KB").isGreaterThan(2_000_000L);

                // One commit deletes everything, and nothing is written after it.
                sql.sql("DELETE FROM payload").update();
                long target = full / 4;
                long used = full;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (used >= target && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    used = H2Space.usedBytes(housekeeping);
                }
                assertThat(used).as("bytes in use after the delete, against %d before", full).isLessThan(target);
            } finally {
                housekeeping.destroy();
            }
        }
    }
}
