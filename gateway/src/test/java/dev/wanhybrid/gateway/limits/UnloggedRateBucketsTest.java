package dev.wanhybrid.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.tenant.SharedTenantRateLimiter;
import dev.wanhybrid.gateway.tenant.TenantProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Migration 53 on both stores, run as the gateway runs it (the SQL migrations and the Java one together): on
 * PostgreSQL the two bucket tables become unlogged and nothing else does, and the shared limiter still counts on
 * them; on H2 it changes nothing and is recorded like any other migration.
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
                for (int i = 0; i < 3; i++) {
                    assertThat(limiter.take("acme", three)).isEmpty();
                }
                assertThat(limiter.take("acme", three)).isPresent();
                assertThat(limiter.fallbacks()).isZero();
            } finally {
                limiter.destroy();
            }
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
