package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.jobs.JobLatencySource;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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

    @Test
    void aSlowStoreReadDoesNotHoldUpOtherDecisions() throws Exception {
        var entered = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        CloudLatencyTracker.Source slow = since -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(new LatencyObservations.Observation(NOW, "wan2.6-t2v", Duration.ofSeconds(50), 5));
        };
        var tracker = new CloudLatencyTracker(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(30), 1, 100, slow,
                Duration.ofSeconds(30));
        tracker.record("wan2.5-t2v-preview", Duration.ofSeconds(100), 5);

        // Own threads: the common pool has a single worker on a two-core machine.
        var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        var reader = CompletableFuture.supplyAsync(tracker::snapshot, threads);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // While the store read is in progress, another decision gets what is in memory at once.
        LatencyObservations meanwhile = CompletableFuture.supplyAsync(tracker::snapshot, threads)
                .get(10, TimeUnit.SECONDS);
        assertThat(meanwhile.observations()).extracting(LatencyObservations.Observation::model)
                .containsExactly("wan2.5-t2v-preview");
        release.countDown();

        assertThat(reader.get(10, TimeUnit.SECONDS).observations()).hasSize(2);
        assertThat(tracker.snapshot().medianPerSecond("wan2.6-t2v", NOW)).contains(Duration.ofSeconds(10));
        threads.shutdown();
    }

    /** A clock that reads the instant the test sets. */
    private static Clock clockReading(AtomicReference<Instant> now) {
        return new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
    }

    @Test
    void keepsTheNewestObservationsUpToCapacityAndInsideTheWindow() {
        var now = new AtomicReference<>(NOW);
        Clock clock = clockReading(now);
        var tracker = new CloudLatencyTracker(clock, Duration.ofMinutes(30), 1, 3);
        for (int i = 1; i <= 5; i++) {
            tracker.record("m", Duration.ofSeconds(10L * i), 1);
            now.set(now.get().plusSeconds(60));
        }
        assertThat(tracker.snapshot().observations()).extracting(o -> o.took().toSeconds())
                .containsExactly(30L, 40L, 50L);

        now.set(NOW.plus(Duration.ofMinutes(33)).plusSeconds(1)); // the first two kept ones are now out of the window
        assertThat(tracker.snapshot().observations()).extracting(o -> o.took().toSeconds()).containsExactly(50L);
        now.set(NOW.plus(Duration.ofHours(2)));
        assertThat(tracker.snapshot().observations()).isEmpty();
    }

    @Test
    void aSnapshotServesDecisionsUntilATaskIsRecordedOrOneLeavesTheWindow() {
        var now = new AtomicReference<>(NOW);
        Clock clock = clockReading(now);
        var tracker = new CloudLatencyTracker(clock, Duration.ofMinutes(30), 1, 100);
        tracker.record("m", Duration.ofSeconds(10), 1);
        now.set(NOW.plus(Duration.ofMinutes(20)));
        tracker.record("m", Duration.ofSeconds(20), 1);
        LatencyObservations first = tracker.snapshot();
        assertThat(tracker.snapshot()).as("nothing changed: the same snapshot").isSameAs(first);

        tracker.record("m", Duration.ofSeconds(30), 1);
        LatencyObservations afterRecord = tracker.snapshot();
        assertThat(afterRecord).isNotSameAs(first);
        assertThat(afterRecord.medianPerSecond("m", now.get())).contains(Duration.ofSeconds(20));

        // The first task leaves the window: the next snapshot no longer holds it, and the median moves.
        now.set(NOW.plus(Duration.ofMinutes(31)));
        LatencyObservations later = tracker.snapshot();
        assertThat(later.observations()).extracting(o -> o.took().toSeconds()).containsExactly(20L, 30L);
        assertThat(later.medianPerSecond("m", now.get())).contains(Duration.ofSeconds(25));
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
