package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-emption in the local backend: a running task asked to suspend stops at its next step boundary, waits in the
 * queue under its own id with its progress and GPU time so far, and resumes where it stopped; the task it made room
 * for runs in between. What may not be suspended is refused.
 */
class LocalBackendPreemptionTest {

    private static final String MODEL = "wan2.1-t2v-1.3b";
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path workDir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(T0);
    private final Bulkhead bulkhead = Bulkhead.of("local", BulkheadConfig.custom().maxConcurrentCalls(4)
            .maxWaitDuration(Duration.ZERO).build());
    private LocalBackend backend;

    private LocalBackend start(VideoEngine engine) {
        backend = new LocalBackend(new LocalProperties(null, List.of("cpu"), workDir, 50, 5.0, "unipc",
                Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, null), List.of(engine),
                LocalProperties.NO_WEIGHTS, bulkhead, meters, clock);
        return backend;
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private static BackendTask task(String jobId, long seed, Instant dueBy, Instant hedgeAt, String preempts) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "a cat surfing", null,
                null, 5, seed, null, AudioSpec.NONE, null, RoutingHints.NONE), dueBy, null, hedgeAt, preempts);
    }

    private TaskSnapshot awaitState(String taskId, TaskSnapshot.State state) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(taskId).state() == state);
        return backend.poll(taskId);
    }

    private void awaitProgress(String taskId, int percent) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(taskId).progress() == percent);
    }

    @Test
    void aNewcomerThatPreemptsTakesTheGpuAtTheNextStepBoundaryAndTheSuspendedTaskResumesWhereItStopped()
            throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine);
        String late = backend.submit(task("video_late", 1, T0.plusSeconds(3600), null, null));
        awaitState(late, TaskSnapshot.State.RUNNING);
        engine.stepPermits.release(1);
        awaitProgress(late, 25);
        clock.set(T0.plusSeconds(60));

        // Due in 10 minutes and routed to take the GPU of the run due in an hour.
        String urgent = backend.submit(task("video_urgent", 2, T0.plusSeconds(600), null, late));
        LocalQueueState.Run asked = runOf(late);
        assertThat(asked.suspending()).isTrue();
        assertThat(asked.workLeft()).isEqualTo(0.75);

        // The step in progress (the second) finishes first; then the run stops and the newcomer starts.
        engine.stepPermits.release(1);
        awaitState(urgent, TaskSnapshot.State.RUNNING);
        TaskSnapshot waiting = backend.poll(late);
        assertThat(waiting.state()).isEqualTo(TaskSnapshot.State.PENDING);
        assertThat(waiting.progress()).isEqualTo(50);
        assertThat(waiting.gpuSeconds()).isEqualByComparingTo("60");
        LocalQueueState.Run suspended = runOf(late);
        assertThat(suspended.suspending()).isFalse();
        assertThat(suspended.workLeftAtStart()).isEqualTo(0.5);
        assertThat(backend.queue().queued()).isEqualTo(1);
        assertThat(meters.get("gateway.local.suspensions").counter().count()).isEqualTo(1);

        engine.stepPermits.release(6);
        awaitState(urgent, TaskSnapshot.State.SUCCEEDED);
        TaskSnapshot done = awaitState(late, TaskSnapshot.State.SUCCEEDED);

        // Resumed once, from its third step; its GPU time is both runs (the last one as the engine measured it).
        assertThat(engine.resumes).singleElement().satisfies(s -> {
            assertThat(s.nextStep()).isEqualTo(2);
            assertThat(s.request().seed()).isEqualTo(1L);
        });
        assertThat(engine.requests).extracting(EngineRequest::seed).containsExactly(1L, 2L);
        assertThat(done.gpuSeconds()).isBetween(new BigDecimal("102"), new BigDecimal("112"));
        assertThat(done.progress()).isEqualTo(100);
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(4);
    }

    @Test
    void hedgedQueuedOrAlreadySuspendingTasksAndEnginesThatCannotSuspendAreRefused() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine);
        String hedged = backend.submit(task("video_hedged", 1, T0.plusSeconds(3600), T0.plusSeconds(3000), null));
        awaitState(hedged, TaskSnapshot.State.RUNNING);
        String queued = backend.submit(task("video_queued", 2, T0.plusSeconds(7200), null, null));

        assertThat(backend.suspend(hedged, "test")).isFalse();
        assertThat(backend.suspend(queued, "test")).isFalse();
        assertThat(backend.suspend("local-unknown", "test")).isFalse();
        assertThat(runOf(hedged).hedgeAt()).isEqualTo(T0.plusSeconds(3000));
        engine.stepPermits.release(8);
        awaitState(queued, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).isEmpty();
        backend.close();

        TestVideoEngine second = new TestVideoEngine(MODEL, 4);
        start(second);
        String running = backend.submit(task("video_a", 1, T0.plusSeconds(3600), null, null));
        awaitState(running, TaskSnapshot.State.RUNNING);
        assertThat(backend.suspend(running, "test")).isTrue();
        assertThat(backend.suspend(running, "test")).as("already suspending").isFalse();
        // With nothing else queued, the freed worker takes it straight back and resumes it.
        second.stepPermits.release(8);
        awaitState(running, TaskSnapshot.State.SUCCEEDED);
        assertThat(second.resumes).singleElement().satisfies(s -> assertThat(s.nextStep()).isEqualTo(1));
        backend.close();

        // An engine that cannot suspend: the queue says so, and a suspension is refused.
        TestVideoEngine inner = TestVideoEngine.free(MODEL);
        start(SuspendCheck.withoutSuspension(inner));
        assertThat(backend.queue().suspends()).isFalse();
        String plain = backend.submit(task("video_plain", 1, null, null, null));
        assertThat(backend.suspend(plain, "test")).isFalse();
    }

    @Test
    void aRunSuspendedWhenTheGatewayStopsContinuesAfterItsRestartWithItsGpuTimeAndLeavesNoFileOnceDone()
            throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine);
        String late = suspendedAfter(engine, 60)[0];
        Path kept = workDir.resolve("suspended").resolve("video_late.suspended");
        assertThat(kept).exists();
        backend.close(); // the newcomer is stopped mid-run; the suspended run stays on disk

        // The restarted gateway hands the job over again (its dispatcher found the task gone).
        TestVideoEngine after = new TestVideoEngine(MODEL, 4);
        start(after);
        String again = backend.submit(task("video_late", 1, T0.plusSeconds(3600), null, null));
        assertThat(again).isNotEqualTo(late);
        assertThat(backend.poll(again).progress()).as("where it stopped").isEqualTo(25);
        after.stepPermits.release(3);
        TaskSnapshot done = awaitState(again, TaskSnapshot.State.SUCCEEDED);
        assertThat(after.resumes).singleElement().satisfies(s -> assertThat(s.nextStep()).isEqualTo(1));
        assertThat(after.requests).isEmpty();
        // 60 s before the stop, then the resumed run as the engine measured it (a test engine adds 42 s).
        assertThat(done.gpuSeconds()).isBetween(new BigDecimal("102"), new BigDecimal("112"));
        assertThat(kept).doesNotExist();

        // Another job's request under that job id (a different seed given) starts from the beginning.
        clock.set(T0.plusSeconds(120));
        String other = backend.submit(task("video_x", 5, T0.plusSeconds(3600), null, null));
        awaitState(other, TaskSnapshot.State.RUNNING);
        String urgent2 = backend.submit(task("video_urgent2", 6, T0.plusSeconds(900), null, other));
        after.stepPermits.release(1);
        awaitState(urgent2, TaskSnapshot.State.RUNNING);
        backend.close();
        TestVideoEngine third = new TestVideoEngine(MODEL, 4);
        start(third);
        String changed = backend.submit(task("video_x", 9, T0.plusSeconds(3600), null, null));
        third.stepPermits.release(4);
        awaitState(changed, TaskSnapshot.State.SUCCEEDED);
        assertThat(third.resumes).isEmpty();
        assertThat(third.requests).extracting(EngineRequest::seed).containsExactly(9L);
    }

    @Test
    void aNewcomerDueLaterThanTheRunItNamesDoesNotSuspendIt() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 2);
        start(engine);
        String early = backend.submit(task("video_early", 1, T0.plusSeconds(600), null, null));
        awaitState(early, TaskSnapshot.State.RUNNING);

        String later = backend.submit(task("video_later", 2, T0.plusSeconds(3600), null, early));

        assertThat(runOf(early).suspending()).isFalse();
        engine.stepPermits.release(4);
        awaitState(later, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).isEmpty();
        assertThat(meters.get("gateway.local.suspensions").counter().count()).isZero();
    }

    @Test
    void aSuspendedTaskCancelledWhileItWaitsIsCancelledWithItsGpuTimeAndFreesItsPlace() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine);
        String[] tasks = suspendedAfter(engine, 30);
        String late = tasks[0];
        String urgent = tasks[1];

        backend.cancel(late);

        TaskSnapshot cancelled = backend.poll(late);
        assertThat(cancelled.state()).isEqualTo(TaskSnapshot.State.CANCELED);
        assertThat(cancelled.gpuSeconds()).isEqualByComparingTo("30");
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(3); // the newcomer's only
        engine.stepPermits.release(4);
        awaitState(urgent, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).isEmpty();
    }

    @Test
    void aRunThatFailsWhileSuspendingOrResumingStartsAgainFromTheBeginningOnceAndStillMakesItsVideo()
            throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine);
        engine.failNextSuspension = true;
        String late = backend.submit(task("video_late", 1, T0.plusSeconds(3600), null, null));
        awaitState(late, TaskSnapshot.State.RUNNING);
        String urgent = backend.submit(task("video_urgent", 2, T0.plusSeconds(600), null, late));
        engine.stepPermits.release(1);

        // The suspension failed: the newcomer runs, and the run waits to start again from its first step.
        awaitState(urgent, TaskSnapshot.State.RUNNING);
        assertThat(backend.poll(late).state()).isEqualTo(TaskSnapshot.State.PENDING);
        assertThat(runOf(late).workLeftAtStart()).isEqualTo(1.0);
        engine.stepPermits.release(8);
        awaitState(late, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).isEmpty();
        assertThat(engine.requests).extracting(EngineRequest::seed).containsExactly(1L, 2L, 1L);
        assertThat(meters.get("gateway.local.suspension.failures").counter().count()).isEqualTo(1);

        // A resume that fails starts again from the beginning too.
        engine.failNextResume = true;
        String other = backend.submit(task("video_other", 3, T0.plusSeconds(3600), null, null));
        awaitState(other, TaskSnapshot.State.RUNNING);
        String urgent2 = backend.submit(task("video_urgent2", 4, T0.plusSeconds(600), null, other));
        engine.stepPermits.release(1);
        awaitState(urgent2, TaskSnapshot.State.RUNNING);
        engine.stepPermits.release(8);
        awaitState(other, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).hasSize(1);
        assertThat(engine.requests).extracting(EngineRequest::seed).containsExactly(1L, 2L, 1L, 3L, 4L, 3L);
        assertThat(meters.get("gateway.local.suspension.failures").counter().count()).isEqualTo(2);
        assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(4);
    }

    /**
     * {@code video_late} (due in an hour) runs; after {@code seconds} {@code video_urgent} (due in 10 minutes)
     * pre-empts it at its first step boundary. Returns both task ids, once the first waits suspended.
     */
    private String[] suspendedAfter(TestVideoEngine engine, int seconds) throws Exception {
        String late = backend.submit(task("video_late", 1, T0.plusSeconds(3600), null, null));
        awaitState(late, TaskSnapshot.State.RUNNING);
        clock.set(T0.plusSeconds(seconds));
        String urgent = backend.submit(task("video_urgent", 2, T0.plusSeconds(600), null, late));
        engine.stepPermits.release(1);
        awaitState(urgent, TaskSnapshot.State.RUNNING);
        awaitState(late, TaskSnapshot.State.PENDING);
        return new String[] {late, urgent};
    }

    private LocalQueueState.Run runOf(String taskId) {
        return backend.queue().tasks().stream().map(LocalQueueState.Task::run).filter(r -> r.taskId().equals(taskId))
                .findFirst().orElseThrow();
    }
}
