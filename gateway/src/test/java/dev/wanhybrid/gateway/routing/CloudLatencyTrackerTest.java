package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.jobs.JobLatencySource;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

class CloudLatencyTrackerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T04:00:00Z");

    @Test
    void finishedCloudJobsInTheStoreBecomeLatencyObservations() {
        var ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:latency;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        var jdbc = new JdbcTemplate(ds);
        job(jdbc, "video_1", "cloud", "completed", NOW.minusSeconds(600), Duration.ofSeconds(100));
        job(jdbc, "video_2", "cloud", "completed", NOW.minusSeconds(300), Duration.ofSeconds(150));
        job(jdbc, "video_3", "cloud", "completed", NOW.minusSeconds(120), Duration.ofSeconds(200));
        job(jdbc, "video_4", "local", "completed", NOW.minusSeconds(120), Duration.ofSeconds(5));
        job(jdbc, "video_5", "cloud", "failed", NOW.minusSeconds(120), Duration.ofSeconds(5));
        job(jdbc, "video_6", "cloud", "completed", NOW.minus(Duration.ofHours(3)), Duration.ofSeconds(5));

        var tracker = new CloudLatencyTracker(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(30), 3, 100,
                new JobLatencySource(new JobQueries(JdbcClient.create(ds)), 100), Duration.ofSeconds(30));

        LatencyObservations snapshot = tracker.snapshot();
        assertThat(snapshot.observations()).hasSize(3);
        assertThat(snapshot.medianPerSecond("wan2.2-t2v-plus", NOW)).contains(Duration.ofSeconds(30));
    }

    private static void job(JdbcTemplate jdbc, String id, String backend, String status, Instant completed,
            Duration took) {
        OffsetDateTime done = completed.atOffset(ZoneOffset.UTC);
        OffsetDateTime created = completed.minus(took).atOffset(ZoneOffset.UTC);
        jdbc.update("""
                INSERT INTO jobs (id, tenant, status, phase, requested_model, backend, model, candidate_index, prompt,
                    seconds, spec_json, route_json, progress, cancel_requested, deleted, attempts, polls,
                    next_attempt_at, created_at, updated_at, completed_at, version)
                VALUES (?, 'acme', ?, ?, 'auto', ?, 'wan2.2-t2v-plus', 0, 'p', 5, '{}', '{}', 100, FALSE, FALSE, 0, 0,
                    ?, ?, ?, ?, 0)""", id, status, status, backend, done, created, done, done);
    }
}
