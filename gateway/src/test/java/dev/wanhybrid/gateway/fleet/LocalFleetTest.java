package dev.wanhybrid.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The shared local view on H2 with the real migration: fresh heartbeats make local ready, stale ones do not. */
class LocalFleetTest {

    static final Instant T0 = Instant.parse("2026-11-22T05:00:00Z");
    static final FleetProperties PROPERTIES = new FleetProperties(Duration.ofSeconds(5), Duration.ofSeconds(20));
    /** This process's own local backend on an API replica: no weights. */
    static final LocalCapacity NO_ENGINE_HERE = new LocalCapacity() {
        @Override
        public Snapshot snapshot() {
            return new Snapshot(BackendReadiness.notReady("no local weights"), Set.of(), LocalQueueState.IDLE);
        }
    };

    HeartbeatStore store;
    JobQueries jobs;

    @BeforeEach
    void database() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:fleet-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        store = new HeartbeatStore(JdbcClient.create(dataSource));
        jobs = new JobQueries(JdbcClient.create(dataSource));
    }

    LocalFleet fleetAt(Instant now) {
        return new LocalFleet(GatewayRole.API, store, jobs, PROPERTIES, Duration.ofSeconds(60),
                Clock.fixed(now, ZoneOffset.UTC), NO_ENGINE_HERE);
    }

    static Heartbeat beat(String id, Instant at, int queued, int running) {
        return new Heartbeat(id, Set.of("wan2.1-t2v-1.3b"), 1, 4, 4 - queued - running, queued, running,
                Duration.ofSeconds(30), at);
    }

    @Test
    void aFreshHeartbeatMakesLocalReadyForItsModelsOnAnInstanceWithoutEngines() {
        store.record(beat("gpu-0", T0, 0, 1));

        LocalFleet fleet = fleetAt(T0.plusSeconds(19));

        assertThat(fleet.snapshot().readiness().ready()).isTrue();
        assertThat(fleet.snapshot().servedModels()).containsExactly("wan2.1-t2v-1.3b");
        assertThat(fleet.workersOnly().snapshot().servedModels()).containsExactly("wan2.1-t2v-1.3b");
    }

    @Test
    void aStaleHeartbeatNoLongerCountsAndTheDetailSaysWhy() {
        store.record(beat("gpu-0", T0, 0, 1));

        LocalCapacity.Snapshot snapshot = fleetAt(T0.plusSeconds(21)).snapshot();

        assertThat(snapshot.readiness().ready()).isFalse();
        assertThat(snapshot.readiness().detail()).contains("heartbeat").contains("no local weights");
        assertThat(snapshot.queue().workers()).isZero();
    }

    @Test
    void aRecordedHeartbeatReplacesTheWorkersPreviousRowAndRemovalDropsIt() {
        store.record(beat("gpu-0", T0, 0, 0));
        store.record(beat("gpu-0", T0.plusSeconds(5), 3, 1));

        assertThat(store.seenSince(T0)).singleElement().satisfies(b -> {
            assertThat(b.queued()).isEqualTo(3);
            assertThat(b.lastSeen()).isEqualTo(T0.plusSeconds(5));
        });
        store.remove("gpu-0");
        assertThat(store.seenSince(T0)).isEmpty();
    }

    @Test
    void theQueueAddsUpTheLiveWorkersEngineQueuesAndIsFullWhenTheirCapacityIsTaken() {
        store.record(beat("gpu-0", T0, 2, 1));
        store.record(beat("gpu-1", T0, 0, 1));
        store.record(beat("gpu-old", T0.minusSeconds(60), 3, 1));

        LocalQueueState queue = fleetAt(T0.plusSeconds(1)).snapshot().queue();

        assertThat(queue.queued()).isEqualTo(2);
        assertThat(queue.running()).isEqualTo(2);
        assertThat(queue.workers()).isEqualTo(2);
        assertThat(queue.capacity()).isEqualTo(8);
        assertThat(queue.isFull()).isFalse();
        assertThat(queue.estimatedWait()).isEqualTo(Duration.ofSeconds(30));

        store.record(beat("gpu-1", T0, 2, 2));
        assertThat(fleetAt(T0.plusSeconds(1)).snapshot().queue().isFull()).as("gpu-0 still has a free slot")
                .isFalse();
        store.record(beat("gpu-0", T0, 3, 1));
        assertThat(fleetAt(T0.plusSeconds(1)).snapshot().queue().isFull()).isTrue();
    }

    @Test
    void aStandaloneGatewayDoesNotReadTheSharedState() {
        assertThat(new LocalFleet(GatewayRole.STANDALONE, store, jobs, PROPERTIES, Duration.ofSeconds(60),
                Clock.fixed(T0, ZoneOffset.UTC)).active()).isFalse();
        assertThat(fleetAt(T0).active()).isTrue();
    }

    @Test
    void oneSnapshotReadsTheHeartbeatsOnceAndTheWaitingJobsOnce() {
        int[] reads = new int[2];
        HeartbeatStore counted = new HeartbeatStore(null) {
            @Override
            public java.util.List<Heartbeat> seenSince(Instant since) {
                reads[0]++;
                return java.util.List.of(beat("gpu-0", T0, 1, 1), beat("gpu-1", T0, 0, 0));
            }
        };
        JobQueries waiting = new JobQueries(null) {
            @Override
            public long waiting(String backend) {
                reads[1]++;
                return 4;
            }
        };
        LocalFleet fleet = new LocalFleet(GatewayRole.API, counted, waiting, PROPERTIES, Duration.ofSeconds(60),
                Clock.fixed(T0, ZoneOffset.UTC), NO_ENGINE_HERE);

        LocalCapacity.Snapshot snapshot = fleet.snapshot();

        assertThat(reads).containsExactly(1, 1);
        assertThat(snapshot.readiness().ready()).isTrue();
        assertThat(snapshot.queue().queued()).as("engine-queued plus not yet taken").isEqualTo(5);
        // 30 s for the soonest engine, then 4 waiting jobs of 60 s over 2 engine workers.
        assertThat(snapshot.queue().estimatedWait()).isEqualTo(Duration.ofSeconds(150));
    }
}
