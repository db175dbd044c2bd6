package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The dispatcher carries a pre-emption out with the real local backend (a test engine whose steps the test
 * releases), the real ledger on H2 and a fake clock: the job whose route names a running task to suspend is handed
 * to the engine, the named run stops at its next step boundary and waits, still {@code running} for its caller,
 * the newcomer runs and finishes, the suspended run resumes where it stopped and finishes; each job is billed once,
 * the suspended one for the GPU time of both its runs.
 */
class PreemptionCarriedOutTest {

    static final String OWNER = LocalDispatchFixture.OWNER;
    static final Instant T0 = Instant.parse("2026-12-07T04:00:00Z");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(T0);
    final TestVideoEngine engine = new TestVideoEngine("wan2.1-t2v-1.3b", 4);
    LocalDispatchFixture fixture;
    JobStore store;
    LocalBackend local;

    @BeforeEach
    void wire() throws Exception {
        fixture = new LocalDispatchFixture(dir, clock, engine, new ScriptedBackend("cloud"));
        store = fixture.store;
        local = fixture.local;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void theNamedRunIsSuspendedForTheNewcomerResumesAfterItAndEachJobIsBilledOnceForItsGpuTime() throws Exception {
        String late = job(Duration.ofHours(1), null);
        Job running = fixture.step(late);
        assertThat(running.phase()).isEqualTo(JobPhase.RUNNING);
        engine.stepPermits.release(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> local.poll(running.taskId()).progress() == 25);
        clock.set(T0.plusSeconds(60));

        String urgent = job(Duration.ofMinutes(10), running.taskId());
        Job stored = store.find(urgent).orElseThrow();
        assertThat(stored.route().reason()).isEqualTo("preempt");
        assertThat(stored.route().preempts().task()).isEqualTo(running.taskId());
        assertThat(fixture.newStore().find(urgent).orElseThrow().route().preempts()).isEqualTo(stored.route().preempts());
        Job handed = fixture.step(urgent);
        assertThat(handed.phase()).isEqualTo(JobPhase.RUNNING);

        // The step in progress finishes; then the run stops and the newcomer has the GPU.
        engine.stepPermits.release(1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> local.poll(handed.taskId()).state() == TaskSnapshot.State.RUNNING);
        Job waiting = fixture.step(late);
        assertThat(waiting.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(waiting.status()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(waiting.progress()).isEqualTo(50);
        assertThat(local.poll(running.taskId()).state()).isEqualTo(TaskSnapshot.State.PENDING);

        engine.stepPermits.release(4);
        Job first = finish(urgent);
        engine.stepPermits.release(2);
        Job second = finish(late);

        assertThat(first.phase()).isEqualTo(JobPhase.COMPLETED);
        assertThat(second.phase()).isEqualTo(JobPhase.COMPLETED);
        assertThat(second.taskId()).as("the same task, resumed").isEqualTo(running.taskId());
        assertThat(engine.resumes).singleElement().satisfies(s -> assertThat(s.nextStep()).isEqualTo(2));
        JdbcClient sql = JdbcClient.create(fixture.dataSource);
        assertThat(sql.sql("SELECT job_id FROM spend_entries").query(String.class).list())
                .containsExactlyInAnyOrder(late, urgent);
        // 60 s before the suspension, then the resumed run as the engine measured it (a test engine adds 42 s).
        assertThat(sql.sql("SELECT gpu_seconds FROM spend_entries WHERE job_id = ?").param(late)
                .query(BigDecimal.class).single()).isBetween(new BigDecimal("102"), new BigDecimal("112"));
        assertThat(sql.sql("SELECT COALESCE(SUM(reserved_usd), 0) FROM spend_entries").query(BigDecimal.class)
                .single()).isZero();
    }

    @Test
    void aPreemptionIsOnlyForTheRoutesFirstCandidate() throws Exception {
        String id = job(Duration.ofMinutes(10), "local-gone");
        Job job = store.find(id).orElseThrow();

        assertThat(JobProcessor.task(job).preempts()).isEqualTo("local-gone");
        assertThat(job.route().preemptsTask(1)).isNull();
        // Naming a task that is gone suspends nothing and the job runs as any other.
        assertThat(fixture.step(id).phase()).isEqualTo(JobPhase.RUNNING);
        engine.stepPermits.release(4);
        assertThat(finish(id).phase()).isEqualTo(JobPhase.COMPLETED);
        assertThat(engine.resumes).isEmpty();
    }

    private Job finish(String id) {
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.step(id).phase().isTerminal());
        return store.find(id).orElseThrow();
    }

    private String job(Duration deadline, String preempts) throws Exception {
        String id = "video_" + UUID.randomUUID().toString().substring(0, 8);
        GenerationSpec spec = new GenerationSpec("acme", GenerationSpec.AUTO_MODEL, TaskKind.T2V, "a prompt", null,
                null, 5, null, null, null, null, new RoutingHints(null, RoutingHints.Objective.COST, null, deadline,
                        false));
        RouteCandidate run = new RouteCandidate("local", "wan2.1-t2v-1.3b", new BigDecimal("0.005"),
                Duration.ofSeconds(240));
        RouteCandidate cloud = new RouteCandidate("cloud", "wan2.2-t2v-plus", new BigDecimal("0.10"),
                Duration.ofSeconds(180));
        Route route = preempts == null ? new Route(List.of(run, cloud), List.of(), "cheapest")
                : new Route(List.of(run, cloud), List.of(), "preempt", null, null,
                        new Route.Preemption(preempts, null, "test"));
        store.create(Job.accepted(id, spec, JobRoute.of(route, route.candidates(), List.of()), clock.instant()));
        fixture.ledger.ledger.reserve(id, "acme", "local", run.model(), run.estimatedCostUsd());
        store.claim(OWNER, List.of("local"), clock.instant(), clock.instant().plusSeconds(3600), 10);
        return id;
    }


}
