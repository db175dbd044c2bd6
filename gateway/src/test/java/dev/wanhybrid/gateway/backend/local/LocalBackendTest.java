package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendTest {

    private static final String MODEL = "wan2.1-t2v-1.3b";

    @TempDir
    Path workDir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private LocalBackend backend;

    private LocalProperties properties() {
        return new LocalProperties(null, List.of("cpu"), workDir, 50, 5.0, "unipc", Duration.ofMinutes(4),
                Duration.ofHours(1), null, null, false, null, false, null);
    }

    private LocalBackend start(int capacity, TestVideoEngine... engines) {
        Bulkhead bulkhead = Bulkhead.of("local", BulkheadConfig.custom().maxConcurrentCalls(capacity)
                .maxWaitDuration(Duration.ZERO).build());
        backend = new LocalBackend(properties(), List.of(engines), LocalProperties.NO_WEIGHTS, bulkhead, meters,
                Clock.systemUTC());
        return backend;
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private static BackendTask task(String jobId, VideoSize size, int seconds) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "a cat surfing", null,
                size, seconds, 7L, null, AudioSpec.NONE, null, RoutingHints.NONE));
    }

    private TaskSnapshot awaitState(String taskId, TaskSnapshot.State state) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(taskId).state() == state);
        return backend.poll(taskId);
    }

    @Test
    void finishedTaskHasTheMp4AndTheMeasuredDeviceTime() throws Exception {
        TestVideoEngine engine = TestVideoEngine.free(MODEL);
        start(4, engine);

        String taskId = backend.submit(task("video_1", new VideoSize(480, 832), 5));
        TaskSnapshot done = awaitState(taskId, TaskSnapshot.State.SUCCEEDED);

        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.gpuSeconds()).isGreaterThanOrEqualTo(new java.math.BigDecimal("42"));
        try (InputStream in = backend.openResult(done)) {
            byte[] head = in.readNBytes(8);
            assertThat(new String(head, 4, 4)).isEqualTo("ftyp");
        }
        assertThat(engine.requests).singleElement().satisfies(r -> {
            assertThat(r.width()).isEqualTo(480);
            assertThat(r.height()).isEqualTo(832);
            assertThat(r.frames()).as("5 s at 16 fps, 4k+1").isEqualTo(81);
            assertThat(r.seed()).isEqualTo(7L);
        });
    }

    @Test
    void waitingTasksShowInTheQueueDepthGaugeAndWaitTimer() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 1);
        start(4, engine);

        String first = backend.submit(task("video_1", null, 5));
        awaitState(first, TaskSnapshot.State.RUNNING);
        String second = backend.submit(task("video_2", null, 5));
        backend.submit(task("video_3", null, 5));

        assertThat(meters.get("gateway.local.queue.depth").gauge().value()).isEqualTo(2.0);
        assertThat(meters.get("gateway.local.workers.ready").gauge().value()).isEqualTo(1.0);
        assertThat(backend.queue().queued()).isEqualTo(2);
        assertThat(backend.queue().running()).isEqualTo(1);
        assertThat(backend.queue().estimatedWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(backend.poll(second).state()).isEqualTo(TaskSnapshot.State.PENDING);

        engine.stepPermits.release(3);
        awaitState(second, TaskSnapshot.State.SUCCEEDED);
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> meters.get("gateway.local.queue.wait").timer().count() == 3);
        assertThat(meters.get("gateway.local.queue.depth").gauge().value()).isZero();
    }

    @Test
    void aFreedWorkerTakesTheEarliestDeadlineThenTheEarliestArrivalAndUndatedWorkLast() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 1);
        start(8, engine);
        java.time.Instant now = java.time.Instant.now();
        String first = backend.submit(dated("video_running", 1L, null));
        awaitState(first, TaskSnapshot.State.RUNNING);
        // Queued behind it, in this arrival order: undated, due in an hour, due in 10 minutes, due in an hour
        // again, due in 2 minutes, undated again.
        backend.submit(dated("video_a", 2L, null));
        backend.submit(dated("video_b", 3L, now.plusSeconds(3600)));
        backend.submit(dated("video_c", 4L, now.plusSeconds(600)));
        backend.submit(dated("video_d", 5L, now.plusSeconds(3600)));
        String last = backend.submit(dated("video_e", 6L, now.plusSeconds(120)));
        String undated = backend.submit(dated("video_f", 7L, null));

        // What the router plans with: every task with its deadline, the running one with its start.
        List<LocalQueueState.Task> reported = backend.queue().tasks();
        assertThat(reported).hasSize(7);
        assertThat(reported).filteredOn(t -> t.startedAt() != null).singleElement()
                .satisfies(t -> assertThat(t.arrival()).isEqualTo(reported.stream()
                        .mapToLong(LocalQueueState.Task::arrival).min().orElseThrow()));
        assertThat(reported).extracting(LocalQueueState.Task::dueBy).filteredOn(java.util.Objects::nonNull)
                .containsExactlyInAnyOrder(now.plusSeconds(3600), now.plusSeconds(600), now.plusSeconds(3600),
                        now.plusSeconds(120));
        assertThat(reported).allSatisfy(t -> {
            assertThat(t.model()).isEqualTo(MODEL);
            assertThat(t.seconds()).isEqualTo(5);
        });

        engine.stepPermits.release(7);
        awaitState(undated, TaskSnapshot.State.SUCCEEDED);
        awaitState(last, TaskSnapshot.State.SUCCEEDED);

        // The routing core's LocalSchedule order: deadline, then arrival; no deadline after every dated task.
        assertThat(engine.requests.stream().map(r -> r.seed()).toList()).containsExactly(1L, 6L, 4L, 3L, 5L, 2L, 7L);
    }

    private static BackendTask dated(String jobId, long seed, java.time.Instant dueBy) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "a cat surfing", null,
                null, 5, seed, null, AudioSpec.NONE, null, RoutingHints.NONE), dueBy, null);
    }

    @Test
    void cancellingAQueuedTaskRemovesItAndARunningOneInterruptsTheEngine() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 5);
        start(4, engine);
        String running = backend.submit(task("video_1", null, 5));
        String queued = backend.submit(task("video_2", null, 5));
        awaitState(running, TaskSnapshot.State.RUNNING);

        backend.cancel(queued);
        backend.cancel(running);

        assertThat(backend.poll(queued).state()).isEqualTo(TaskSnapshot.State.CANCELED);
        awaitState(running, TaskSnapshot.State.CANCELED);
        assertThat(engine.requests).hasSize(1);
        // both permits came back: the queue has its full capacity again
        for (int i = 0; i < 4; i++) {
            backend.submit(task("video_more_" + i, null, 5));
        }
    }

    @Test
    void fullQueueRefusesSoTheDispatcherFallsBack() throws Exception {
        start(1, new TestVideoEngine(MODEL, 1));
        backend.submit(task("video_1", null, 5));

        BackendException e = catchThrowableOfType(BackendException.class,
                () -> backend.submit(task("video_2", null, 5)));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REFUSED);
        assertThat(e.code()).isEqualTo("queue_full");
    }

    @Test
    void aJobHandedOverTwiceMakesOneTaskAndReconcileFindsIt() throws Exception {
        start(4, new TestVideoEngine(MODEL, 1));

        String first = backend.submit(task("video_1", null, 5));
        String again = backend.submit(task("video_1", null, 5));

        assertThat(again).isEqualTo(first);
        assertThat(backend.reconcile(task("video_1", null, 5))).contains(first);
        assertThat(backend.reconcile(task("video_9", null, 5))).isEmpty();
    }

    @Test
    void afterARestartEarlierTasksAreUnknown() throws Exception {
        start(4, TestVideoEngine.free(MODEL));
        String taskId = backend.submit(task("video_1", null, 5));
        awaitState(taskId, TaskSnapshot.State.SUCCEEDED);
        backend.close();

        start(4, TestVideoEngine.free(MODEL));

        assertThat(backend.poll(taskId).state()).isEqualTo(TaskSnapshot.State.UNKNOWN);
        assertThat(backend.reconcile(task("video_1", null, 5))).isEmpty();
    }

    @Test
    void engineFailureFailsTheTaskWithItsMessage() throws Exception {
        TestVideoEngine engine = TestVideoEngine.free(MODEL);
        engine.failNext = true;
        start(4, engine);

        TaskSnapshot failed = awaitState(backend.submit(task("video_1", null, 5)), TaskSnapshot.State.FAILED);

        assertThat(failed.errorCode()).isEqualTo("engine_failed");
        assertThat(failed.errorMessage()).contains("out of device memory");
    }

    @Test
    void withoutWeightsItIsNotReadyAndSaysHowToProvideThem() {
        start(4);

        assertThat(backend.readiness().ready()).isFalse();
        assertThat(backend.readiness().detail())
                .isEqualTo("no local weights: set gateway.local.model-path to a Wan2.1-T2V-1.3B-Diffusers folder");
        BackendException e = catchThrowableOfType(BackendException.class,
                () -> backend.submit(task("video_1", null, 5)));
        assertThat(e.kind()).isEqualTo(BackendException.Kind.REFUSED);
        assertThat(meters.get("gateway.local.workers.ready").gauge().value()).isZero();
    }

    @Test
    void soundImagesAndOtherModelsAreRefused() {
        start(4, TestVideoEngine.free(MODEL));
        var withSound = new BackendTask("video_1", MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "p", null,
                null, 5, null, null, AudioSpec.GENERATED, null, RoutingHints.NONE));
        var image = new BackendTask("video_2", MODEL, new GenerationSpec("acme", MODEL, TaskKind.I2V, "p", null,
                null, 5, null, URI.create("https://images.example.com/a.png"), AudioSpec.NONE, null,
                RoutingHints.NONE));
        var other = new BackendTask("video_3", "wan2.1-t2v-14b", task("video_3", null, 5).spec());

        assertThat(catchThrowableOfType(BackendException.class, () -> backend.submit(withSound)).kind())
                .isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(catchThrowableOfType(BackendException.class, () -> backend.submit(image)).kind())
                .isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(catchThrowableOfType(BackendException.class, () -> backend.submit(other)).code())
                .isEqualTo("model_not_loaded");
    }
}
