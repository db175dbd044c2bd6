package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.cloud.simulator.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.e2e.support.ScriptedBackend;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The dispatcher carries a hedge out, step by step, with the real local backend (a test engine whose steps the
 * test releases), the real ledger on H2 and a fake clock: a hedged run that its progress says will be late leaves
 * for its rescue at its hedge point, its GPU time and the cloud's price both in the ledger once; one on course
 * stays local and costs only its GPU time.
 */
class HedgeCarriedOutTest {

    static final String OWNER = "me";
    static final Instant T0 = Instant.parse("2026-11-22T04:00:00Z");
    /** Due 300 s after creation; the rescue takes about 180 s, so the hedge point is at 120 s. */
    static final Duration DEADLINE = Duration.ofSeconds(300);
    static final Instant HEDGE_POINT = T0.plusSeconds(120);
    /** LedgerFixture's owned fleet: 0.00003 USD per GPU-second. */
    static final BigDecimal PER_GPU_SECOND = new BigDecimal("0.00003");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(T0);
    final TestVideoEngine engine = new TestVideoEngine("wan2.1-t2v-1.3b", 4);
    final ScriptedBackend cloud = new ScriptedBackend("cloud");
    LocalDispatchFixture fixture;
    JdbcDataSource dataSource;
    JobStore store;
    LedgerFixture ledger;
    LocalBackend local;

    @BeforeEach
    void wire() throws Exception {
        fixture = new LocalDispatchFixture(dir, clock, engine, cloud);
        dataSource = fixture.dataSource;
        store = fixture.store;
        ledger = fixture.ledger;
        local = fixture.local;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aRunItsProgressSaysWillBeLateLeavesForTheCloudAtItsHedgePointWithBothChargesInTheLedger() throws Exception {
        String id = hedgedJob();
        assertThat(step(id).phase()).isEqualTo(JobPhase.RUNNING);
        engine.stepPermits.release(1);
        awaitProgress(id, 25);

        // Before the hedge point nothing happens; the next poll is due at the hedge point at the latest.
        clock.set(HEDGE_POINT.minusSeconds(1));
        Job before = step(id);
        assertThat(before.backend()).isEqualTo("local");
        assertThat(before.nextAttemptAt()).isBeforeOrEqualTo(HEDGE_POINT);

        // At 120 s a quarter is done: the rest takes 360 s more, past the deadline at 300 s.
        clock.set(HEDGE_POINT);
        Job moved = step(id);
        assertThat(moved.phase()).isEqualTo(JobPhase.QUEUED);
        assertThat(moved.backend()).isEqualTo("cloud");
        assertThat(moved.route().hedge().outcome()).isEqualTo("hedged_to_cloud");
        assertThat(moved.route().fallbacks()).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo("hedged_to_cloud");
            assertThat(f.fromBackend()).isEqualTo("local");
            assertThat(f.toModel()).isEqualTo("wan2.2-t2v-plus");
            assertThat(f.detail()).contains("after its deadline");
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> local.poll(before.taskId()).state() == dev.wanhybrid.gateway.backend.TaskSnapshot.State.CANCELED);

        // A restarted gateway reads the hedge and its outcome back from the job's row.
        assertThat(newStore().find(id).orElseThrow().route().hedge()).isEqualTo(moved.route().hedge());

        // The cloud takes 200 s of the 180 s planned: done at 320 s, 20 s past the deadline.
        clock.set(HEDGE_POINT.plusSeconds(200));
        assertThat(step(id).phase()).isEqualTo(JobPhase.RUNNING);
        Job done = step(id);
        for (int polls = 0; polls < 10 && !done.phase().isTerminal(); polls++) {
            done = step(id);
        }
        assertThat(done.phase()).isEqualTo(JobPhase.COMPLETED);
        assertThat(done.actualUsd()).isEqualByComparingTo("0.10");
        var vsPlanned = fixture.jobMeters.get(JobMetrics.CLOUD_LATENCY_VS_PLANNED).tag("sent", "rescue").summary();
        assertThat(vsPlanned.count()).isEqualTo(1);
        assertThat(vsPlanned.totalAmount()).isCloseTo(200.0 / 180, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(fixture.jobMeters.get(JobMetrics.HEDGE_RESCUES).tag("outcome", "late").counter().count())
                .isEqualTo(1);

        Map<String, Object> hedge = entry(id + ":hedge");
        assertThat(hedge.get("backend")).isEqualTo("local");
        assertThat(hedge.get("reason")).isEqualTo("hedged_to_cloud");
        assertThat((BigDecimal) hedge.get("gpu_seconds")).isEqualByComparingTo("120");
        assertThat((BigDecimal) hedge.get("actual_usd")).isEqualByComparingTo(PER_GPU_SECOND.multiply(
                BigDecimal.valueOf(120)));
        assertThat((BigDecimal) hedge.get("list_usd")).isEqualByComparingTo("0");
        Map<String, Object> own = entry(id);
        assertThat(own.get("backend")).isEqualTo("cloud");
        assertThat((BigDecimal) own.get("actual_usd")).isEqualByComparingTo("0.10");
        assertThat(JdbcClient.create(dataSource).sql("SELECT COUNT(*) FROM spend_entries").query(Long.class).single())
                .isEqualTo(2);
        assertThat(JdbcClient.create(dataSource).sql("SELECT COALESCE(SUM(reserved_usd), 0) FROM spend_entries")
                .query(BigDecimal.class).single()).isZero();
    }

    @Test
    void aRunOnCourseAtItsHedgePointStaysLocalAndCostsOnlyItsGpuTime() throws Exception {
        String id = hedgedJob();
        assertThat(step(id).phase()).isEqualTo(JobPhase.RUNNING);
        engine.stepPermits.release(3);
        awaitProgress(id, 75);

        // At 120 s three quarters are done: the rest takes 40 s, well before 300 s.
        clock.set(HEDGE_POINT);
        Job kept = step(id);
        assertThat(kept.backend()).isEqualTo("local");
        assertThat(kept.route().hedge().outcome()).isEqualTo("kept_local");
        assertThat(kept.route().fallbacks()).isEmpty();

        engine.stepPermits.release(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> step(id).phase() == JobPhase.COMPLETED);
        assertThat(cloud.submissions()).isZero();
        assertThat(JdbcClient.create(dataSource).sql("SELECT job_id FROM spend_entries").query(String.class).list())
                .containsExactly(id);
        assertThat(entry(id).get("backend")).isEqualTo("local");
    }

    @Test
    void aJobNotYetHandedToTheEngineAtItsHedgePointLeavesWithoutUsingTheGpu() throws Exception {
        String id = hedgedJob();
        clock.set(HEDGE_POINT.plusSeconds(5));

        Job moved = step(id);

        assertThat(moved.backend()).isEqualTo("cloud");
        assertThat(moved.route().fallbacks()).singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("had not started"));
        assertThat(engine.requests).isEmpty();
        assertThat(JdbcClient.create(dataSource).sql("SELECT COUNT(*) FROM spend_entries WHERE job_id = ?")
                .param(id + ":hedge").query(Long.class).single()).isZero();
    }

    private String hedgedJob() throws Exception {
        String id = "video_" + UUID.randomUUID().toString().substring(0, 8);
        GenerationSpec spec = new GenerationSpec("acme", GenerationSpec.AUTO_MODEL, TaskKind.T2V, "a prompt", null,
                null, 5, null, null, null, null, new RoutingHints(null, RoutingHints.Objective.COST, null, DEADLINE,
                        false));
        RouteCandidate run = new RouteCandidate("local", "wan2.1-t2v-1.3b", new BigDecimal("0.005"),
                Duration.ofSeconds(240));
        RouteCandidate rescue = new RouteCandidate("cloud", "wan2.2-t2v-plus", new BigDecimal("0.10"),
                Duration.ofSeconds(180));
        Route route = new Route(List.of(run, rescue), List.of(), "hedged", null, new Route.Hedge(HEDGE_POINT, rescue));
        store.create(Job.accepted(id, spec, JobRoute.of(route, route.candidates(), List.of()), T0));
        ledger.ledger.reserve(id, "acme", "local", run.model(), run.estimatedCostUsd());
        store.claim(OWNER, List.of("local"), T0, T0.plusSeconds(3600), 10);
        return id;
    }

    private void awaitProgress(String id, int progress) {
        String task = store.find(id).orElseThrow().taskId();
        await().atMost(Duration.ofSeconds(10)).until(() -> local.poll(task).progress() >= progress);
    }

    private Job step(String id) {
        return fixture.step(id);
    }

    private Map<String, Object> entry(String entryId) {
        Map<String, Object> row = new java.util.HashMap<>();
        JdbcClient.create(dataSource).sql("SELECT * FROM spend_entries WHERE job_id = ?").param(entryId).query()
                .singleRow().forEach((column, value) -> row.put(column.toLowerCase(java.util.Locale.ROOT), value));
        return row;
    }

    private JobStore newStore() {
        return fixture.newStore();
    }

}
