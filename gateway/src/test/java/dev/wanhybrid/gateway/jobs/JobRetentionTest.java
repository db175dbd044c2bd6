package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.webhook.WebhookOutbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Retention deletes expired results, then their jobs and events, in batches, and nothing that has not expired. */
class JobRetentionTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path results;

    JobStore store;
    JdbcDataSource dataSource;
    JdbcClient jdbc;
    LocalDiskResultStore disk;

    @BeforeEach
    void database() throws IOException {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:retention-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        store = new JobStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                job -> "{\"id\":\"" + job.id() + "\"}");
        disk = new LocalDiskResultStore(results);
    }

    /** A job that finished at {@code at}, with a stored result when {@code withResult}. */
    Job finished(String id, Instant at, JobPhase end, boolean withResult) throws IOException {
        Job job = store.create(JobStoreTest.newJob(id, "cloud"));
        if (withResult) {
            disk.put("results/" + id + ".mp4", new ByteArrayInputStream(new byte[1024]), 1 << 20);
        }
        return store.transition(job, end, null, at, set -> {
            if (withResult) {
                set.result("results/" + id + ".mp4", 1024, "00");
            }
        }).orElseThrow();
    }

    JobRetention retention(ResultStore results, JobDependentRecords... dependents) {
        Map<String, Object> beans = new java.util.HashMap<>();
        for (int i = 0; i < dependents.length; i++) {
            beans.put("dependent" + i, dependents[i]);
        }
        return new JobRetention(store, new StaticListableBeanFactory(Map.of("results", results))
                .getBeanProvider(ResultStore.class), new StaticListableBeanFactory(beans)
                .getBeanProvider(JobDependentRecords.class), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(7),
                Duration.ZERO);
    }

    long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    @Test
    void expiredJobsLoseTheirResultRowAndEventsAndNothingElseIsTouched() throws Exception {
        Instant expired = NOW.minus(Duration.ofDays(8));
        // More than two batches of expired jobs, some with results.
        for (int i = 0; i < JobRetention.BATCH * 2 + 37; i++) {
            finished("old-" + i, expired.plusSeconds(i), i % 3 == 0 ? JobPhase.FAILED : JobPhase.CANCELLED,
                    i % 25 == 0);
        }
        for (int i = 0; i < 10; i++) {
            finished("recent-" + i, NOW.minus(Duration.ofDays(1)), JobPhase.CANCELLED, true);
        }
        // Old but still running: never deleted, however old.
        IntStream.range(0, 5).forEach(i -> store.create(JobStoreTest.newJob("queued-" + i, "cloud")));
        assertThat(disk.stat("results/old-0.mp4")).isPresent();

        int deleted = retention(disk).sweep();

        assertThat(deleted).isEqualTo(JobRetention.BATCH * 2 + 37);
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE id LIKE 'old-%'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM job_events WHERE job_id LIKE 'old-%'")).isZero();
        assertThat(disk.stat("results/old-0.mp4")).isEmpty();
        assertThat(disk.stat("results/old-25.mp4")).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE id LIKE 'recent-%'")).isEqualTo(10);
        assertThat(disk.stat("results/recent-3.mp4")).isPresent();
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE id LIKE 'queued-%'")).isEqualTo(5);
        assertThat(count("SELECT COUNT(*) FROM job_events WHERE job_id LIKE 'queued-%'")).isEqualTo(5);
        assertThat(retention(disk).sweep()).isZero();
    }

    @Test
    void webhookDeliveriesGoWithTheirJobsAndTheSpendLedgerIsKept() throws Exception {
        Instant expired = NOW.minus(Duration.ofDays(9));
        for (int i = 0; i < JobRetention.BATCH + 20; i++) {
            finished("old-" + i, expired.plusSeconds(i), JobPhase.CANCELLED, false);
            spendEntry("old-" + i);
        }
        for (int i = 0; i < 3; i++) {
            finished("recent-" + i, NOW.minus(Duration.ofDays(2)), JobPhase.CANCELLED, false);
            spendEntry("recent-" + i);
        }
        WebhookOutbox outbox = new WebhookOutbox(dataSource, new JobQueries(jdbc));
        for (JobQueries.StoredEvent event : outbox.eventsAfter(0, 10_000)) {
            assertThat(outbox.enqueue(event, "https://hooks.example.com/videos", "{}", expired)).isTrue();
        }
        long oldDeliveries = count("SELECT COUNT(*) FROM webhook_deliveries WHERE job_id LIKE 'old-%'");
        assertThat(oldDeliveries).isEqualTo(2L * (JobRetention.BATCH + 20));

        assertThat(retention(disk, outbox).sweep()).isEqualTo(JobRetention.BATCH + 20);

        assertThat(count("SELECT COUNT(*) FROM webhook_deliveries WHERE job_id LIKE 'old-%'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM webhook_deliveries WHERE job_id LIKE 'recent-%'")).isEqualTo(6);
        assertThat(count("SELECT COUNT(*) FROM spend_entries")).isEqualTo(JobRetention.BATCH + 23);
        assertThat(count("SELECT COUNT(*) FROM jobs")).isEqualTo(3);
    }

    /** A settled ledger entry for the job, as the ledger writes it. */
    void spendEntry(String jobId) {
        jdbc.sql("""
                INSERT INTO spend_entries (job_id, tenant, backend, model, state, estimate_usd, reserved_usd,
                    actual_usd, day_key, month_key, reserved_at, settled_at, updated_at)
                VALUES (:id, 'acme', 'cloud', 'wan2.5-t2v-preview', 'settled', 0.5, 0, 0.5, '2026-11-22', '2026-11',
                    :at, :at, :at)""").param("id", jobId)
                .param("at", java.time.OffsetDateTime.ofInstant(NOW.minus(Duration.ofDays(9)), ZoneOffset.UTC))
                .update();
    }

    @Test
    void aResultThatCannotBeDeletedKeepsItsJobForTheNextSweep() throws Exception {
        Instant expired = NOW.minus(Duration.ofDays(30));
        finished("stuck", expired, JobPhase.CANCELLED, true);
        finished("free", expired, JobPhase.CANCELLED, true);
        Set<String> failing = new java.util.HashSet<>(Set.of("results/stuck.mp4"));
        ResultStore flaky = new ResultStore() {
            @Override
            public dev.wanhybrid.gateway.storage.StoredObject put(String key, java.io.InputStream content, long max)
                    throws IOException {
                return disk.put(key, content, max);
            }

            @Override
            public java.util.Optional<dev.wanhybrid.gateway.storage.StoredObject> stat(String key) throws IOException {
                return disk.stat(key);
            }

            @Override
            public java.io.InputStream open(String key, long offset, long length) throws IOException {
                return disk.open(key, offset, length);
            }

            @Override
            public void delete(String key) throws IOException {
                if (failing.contains(key)) {
                    throw new IOException("storage unavailable");
                }
                disk.delete(key);
            }
        };

        assertThat(retention(flaky).sweep()).isEqualTo(1);
        assertThat(store.find("stuck")).isPresent();
        assertThat(store.find("free")).isEmpty();

        failing.clear();
        assertThat(retention(flaky).sweep()).isEqualTo(1);
        assertThat(store.find("stuck")).isEmpty();
        assertThat(disk.stat("results/stuck.mp4")).isEmpty();
    }
}
