package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.backend.BackendTask;
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
 * Checkpoints ({@code gateway.local.checkpoint-every}): a running generation's state goes to disk at the first step
 * boundary once the interval has passed and the run carries on at once, still running for its caller; a gateway
 * that stops mid-run continues the job from its last checkpoint after its restart, with the GPU time up to it; the
 * file goes once the job's task ends.
 */
class LocalBackendCheckpointTest {

    private static final String MODEL = "wan2.1-t2v-1.3b";
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @TempDir
    Path workDir;

    private final MutableClock clock = new MutableClock(T0);
    private SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private LocalBackend backend;

    private LocalBackend start(TestVideoEngine engine, Duration every) {
        meters = new SimpleMeterRegistry();
        backend = new LocalBackend(new LocalProperties(null, List.of("cpu"), workDir, 50, 5.0, "unipc",
                Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, every), List.of(engine),
                LocalProperties.NO_WEIGHTS, Bulkhead.of("local", BulkheadConfig.custom().maxConcurrentCalls(4)
                        .maxWaitDuration(Duration.ZERO).build()), meters, clock);
        return backend;
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private static BackendTask task(String jobId) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "a cat surfing", null,
                null, 5, 11L, null, AudioSpec.NONE, null, RoutingHints.NONE), T0.plusSeconds(7200), null, null, null);
    }

    private Path file(String jobId) {
        return workDir.resolve("suspended").resolve(jobId + ".suspended");
    }

    private void awaitProgress(String taskId, int percent) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(taskId).progress() == percent);
    }

    @Test
    void aRunIsCheckpointedOnceTheIntervalHasPassedGoesOnAndAfterAStopContinuesFromItsLastCheckpoint()
            throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine, Duration.ofSeconds(30));
        String task = backend.submit(task("video_long"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(task).state() == TaskSnapshot.State.RUNNING);
        clock.set(T0.plusSeconds(10));
        engine.stepPermits.release(1);
        awaitProgress(task, 25);
        assertThat(file("video_long")).as("10 s in: no checkpoint yet").doesNotExist();

        clock.set(T0.plusSeconds(40));
        engine.stepPermits.release(1);
        // At the boundary before the third step, 40 s in: its state goes to disk and it runs on.
        await().atMost(10, TimeUnit.SECONDS).until(() -> engine.resumes.size() == 1);
        assertThat(engine.resumes.getFirst().nextStep()).isEqualTo(2);
        assertThat(file("video_long")).exists();
        assertThat(backend.poll(task).state()).isEqualTo(TaskSnapshot.State.RUNNING);
        assertThat(backend.poll(task).progress()).isEqualTo(50);
        assertThat(meters.get("gateway.local.checkpoints").counter().count()).isEqualTo(1);
        assertThat(backend.queue().queued()).isZero();

        clock.set(T0.plusSeconds(55));
        backend.close(); // the gateway stops mid-run, 15 s after the checkpoint

        TestVideoEngine after = new TestVideoEngine(MODEL, 4);
        start(after, Duration.ofSeconds(30));
        String again = backend.submit(task("video_long"));
        assertThat(backend.poll(again).progress()).as("where it was checkpointed").isEqualTo(50);
        after.stepPermits.release(2);
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(again).state() == TaskSnapshot.State.SUCCEEDED);
        assertThat(after.resumes).singleElement().satisfies(s -> assertThat(s.nextStep()).isEqualTo(2));
        assertThat(after.requests).isEmpty();
        // 40 s up to the checkpoint, then the resumed run as the engine measured it (a test engine adds 42 s).
        assertThat(backend.poll(again).gpuSeconds()).isBetween(new BigDecimal("82"), new BigDecimal("92"));
        assertThat(file("video_long")).as("gone once the job's task ended").doesNotExist();
    }

    @Test
    void aRunThatFinishesBillsAllItsStretchesAndLeavesNoFileAndWithoutAnIntervalNothingIsWritten() throws Exception {
        TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
        start(engine, Duration.ofSeconds(30));
        String task = backend.submit(task("video_a"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(task).state() == TaskSnapshot.State.RUNNING);
        clock.set(T0.plusSeconds(35));
        engine.stepPermits.release(1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> engine.resumes.size() == 1);
        clock.set(T0.plusSeconds(70));
        engine.stepPermits.release(1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> engine.resumes.size() == 2);
        engine.stepPermits.release(2);
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(task).state() == TaskSnapshot.State.SUCCEEDED);
        // 35 s, then 35 s, then the last stretch as measured (42 s and change).
        assertThat(backend.poll(task).gpuSeconds()).isBetween(new BigDecimal("112"), new BigDecimal("122"));
        assertThat(file("video_a")).doesNotExist();
        assertThat(meters.get("gateway.local.checkpoints").counter().count()).isEqualTo(2);
        backend.close();

        TestVideoEngine plain = new TestVideoEngine(MODEL, 4);
        start(plain, null);
        String other = backend.submit(task("video_b"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(other).state() == TaskSnapshot.State.RUNNING);
        clock.set(T0.plus(Duration.ofHours(3)));
        plain.stepPermits.release(4);
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(other).state() == TaskSnapshot.State.SUCCEEDED);
        assertThat(plain.resumes).isEmpty();
        assertThat(meters.get("gateway.local.checkpoints").counter().count()).isZero();
    }
}
