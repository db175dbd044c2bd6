package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.e2e.support.RecordingLedger;
import dev.wanhybrid.gateway.e2e.support.ScriptedBackend;
import dev.wanhybrid.gateway.fleet.LocalClaimRoom;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A GPU worker's dispatcher takes local jobs only up to its free local capacity, leaving the rest queued for
 * workers that start later, while jobs of other backends are claimed by the batch as before.
 */
class WorkerClaimsUpToFreeLocalCapacityTest {

    static final String OWNER = "gpu-0";

    @TempDir
    Path results;

    JobStore store;
    JobDispatcher dispatcher;
    ScriptedBackend local = new ScriptedBackend("local");
    ScriptedBackend cloud = new ScriptedBackend("cloud");

    @BeforeEach
    void wire() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:claim-room-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        store = new JobStore(JdbcClient.create(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), job -> "{}");
        BackendRegistry registry = new BackendRegistry() {
            @Override
            public Optional<VideoBackend> find(String id) {
                return all().stream().filter(b -> b.id().equals(id)).findFirst();
            }

            @Override
            public List<VideoBackend> all() {
                return List.of(local, cloud);
            }
        };
        // A tick of an hour: only the test's own ticks run.
        JobProperties properties = new JobProperties(true, OWNER, List.of(), Duration.ofSeconds(30),
                Duration.ofHours(1), 20, 32, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(5),
                Duration.ofSeconds(2), org.springframework.util.unit.DataSize.ofMegabytes(10), 3, List.of("local"),
                Duration.ofMinutes(30), Duration.ofMinutes(30));
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        JobProcessor processor = new JobProcessor(store, registry, new RecordingLedger(),
                new LocalDiskResultStore(results),
                new ResultPreviews(new LocalDiskResultStore(results)), new JobMetrics(new SimpleMeterRegistry()),
                properties, clock);
        // Capacity 2: the local bulkhead of a worker with room for two tasks.
        dispatcher = new JobDispatcher(store, processor, registry, properties, clock,
                new LocalClaimRoom(() -> 2, new JobQueries(JdbcClient.create(dataSource))));
        dispatcher.start();
    }

    @AfterEach
    void stop() {
        dispatcher.stop();
    }

    @Test
    void localJobsAreClaimedOnlyUpToTheFreeCapacityAndCloudJobsByTheBatch() throws Exception {
        local.holdRunning(true);
        cloud.holdRunning(true);
        for (int i = 0; i < 5; i++) {
            store.create(JobStoreTest.newJob("video_local_" + i, "local"));
        }
        for (int i = 0; i < 3; i++) {
            store.create(JobStoreTest.newJob("video_cloud_" + i, "cloud"));
        }

        dispatcher.drainOnce(Duration.ofSeconds(5));
        dispatcher.drainOnce(Duration.ofSeconds(5));

        assertThat(owned("local")).as("local jobs held by the worker after two ticks").isEqualTo(2);
        assertThat(owned("cloud")).isEqualTo(3);
        assertThat(local.submissions()).isEqualTo(2);
    }

    private long owned(String backend) {
        return store.list("acme", null, 100, true).stream()
                .filter(j -> backend.equals(j.backend()) && OWNER.equals(j.leaseOwner())).count();
    }
}
