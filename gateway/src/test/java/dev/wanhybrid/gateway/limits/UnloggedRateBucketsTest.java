package dev.wanhybrid.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.tenant.SharedTenantRateLimiter;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Migration 53 on both stores, run as the gateway runs it (the SQL migrations and the Java one together): on
 * PostgreSQL the two bucket tables become unlogged and nothing else does, and the shared limiter still counts on
 * them, also after the table has been emptied as crash recovery empties it; on H2 it changes nothing and is
 * recorded like any other migration.
 */
class UnloggedRateBucketsTest {

    static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                .javaMigrations(new UnloggedRateBuckets()).load().migrate();
    }

    @Test
    void onPostgresOnlyTheBucketTablesBecomeUnlogged() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            DataSource dataSource = postgres.getPostgresDatabase();
            migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            Map<String, String> persistence = new TreeMap<>();
            jdbc.query("SELECT relname, relpersistence FROM pg_class WHERE relkind = 'r' AND relnamespace ="
                    + " 'public'::regnamespace", row -> {
                        persistence.put(row.getString(1), row.getString(2));
                    });
            assertThat(persistence).containsEntry("tenant_rate_buckets", "u").containsEntry("cloud_rate_buckets", "u");
            // Everything that must survive a crash stays logged ('p': permanent).
            persistence.keySet().removeAll(UnloggedRateBuckets.TABLES);
            assertThat(persistence).containsKeys("jobs", "job_events", "spend_entries", "cloud_task_slots")
                    .allSatisfy((table, kind) -> assertThat(kind).as(table).isEqualTo("p"));

            // The shared limiter counts on the unlogged table as before: a limit of 3 admits 3.
            SharedTenantRateLimiter limiter = new SharedTenantRateLimiter(dataSource);
            try {
                TenantProperties.RateLimit three = new TenantProperties.RateLimit(3, Duration.ofHours(1));
                admitsThreeThenRefuses(limiter, three);
                // What crash recovery does to an unlogged table: it comes back empty. The spent bucket is full again,
                // created anew on the next take, and the limit counts from there.
                jdbc.execute("TRUNCATE tenant_rate_buckets");
                admitsThreeThenRefuses(limiter, three);
                assertThat(limiter.fallbacks()).isZero();
            } finally {
                limiter.destroy();
            }
        }
    }

    /**
     * A real crash: the server's processes are killed (SIGKILL) and a new server starts on the same data directory,
     * so PostgreSQL runs crash recovery. The unlogged buckets come back empty, a logged table keeps what was
     * committed, and the limiter counts afresh.
     */
    @Test
    void aCrashOfTheServerEmptiesTheBucketsAndKeepsTheLoggedTables(@TempDir Path dataDirectory) throws Exception {
        TenantProperties.RateLimit three = new TenantProperties.RateLimit(3, Duration.ofHours(1));
        EmbeddedPostgres first = durableServer(dataDirectory);
        try {
            DataSource dataSource = first.getPostgresDatabase();
            migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.update("INSERT INTO cloud_task_slots (backend, holder, model, acquired_at) VALUES"
                    + " ('cloud', 'video_1', 'wan2.6-t2v', CURRENT_TIMESTAMP)");
            SharedTenantRateLimiter limiter = new SharedTenantRateLimiter(dataSource);
            admitsThreeThenRefuses(limiter, three);
            limiter.destroy();
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM tenant_rate_buckets", Integer.class)).isOne();
            killServer(dataDirectory);
        } finally {
            try {
                first.close();
            } catch (IOException alreadyDead) {
                // pg_ctl stop finds no server: it was killed
            }
        }
        try (EmbeddedPostgres second = durableServer(dataDirectory)) {
            DataSource dataSource = second.getPostgresDatabase();
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM tenant_rate_buckets", Integer.class)).isZero();
            assertThat(jdbc.queryForObject("SELECT holder FROM cloud_task_slots", String.class)).isEqualTo("video_1");
            SharedTenantRateLimiter limiter = new SharedTenantRateLimiter(dataSource);
            try {
                admitsThreeThenRefuses(limiter, three);
                assertThat(limiter.fallbacks()).isZero();
            } finally {
                limiter.destroy();
            }
        }
    }

    /** Tenant acme's next three takes are admitted and the fourth is refused. */
    private static void admitsThreeThenRefuses(SharedTenantRateLimiter limiter, TenantProperties.RateLimit three) {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.take("acme", three)).isEmpty();
        }
        assertThat(limiter.take("acme", three)).isPresent();
    }

    /**
     * A server on {@code dataDirectory} (created there when empty, kept when closed) whose commits wait for the disk
     * (zonky turns that off by default).
     */
    private static EmbeddedPostgres durableServer(Path dataDirectory) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
    }

    /** SIGKILL to the postmaster and every process it started, as a machine crash or an OOM kill would end them. */
    private static void killServer(Path dataDirectory) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            p.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void onH2ItChangesNothingAndIsRecorded() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:unlogged-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        migrate(h2);
        JdbcTemplate jdbc = new JdbcTemplate(h2);
        assertThat(jdbc.queryForObject("SELECT \"success\" FROM \"flyway_schema_history\" WHERE \"version\" = '53'",
                Boolean.class)).isTrue();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM tenant_rate_buckets", Integer.class)).isZero();
    }
}
