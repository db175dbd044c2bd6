package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.WanEngines;
import dev.wanhybrid.gateway.backend.BackendTask;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-emption on the real local engine (local-engine's random-weight Wan 2.1 demo model on the CPU): a run suspended
 * part-way for a task due earlier resumes after it, and its MP4 is byte for byte the one an uninterrupted run of the
 * same request writes; a gateway stopped while the run waits suspended continues it, after its restart, from the
 * state kept on disk, to the same MP4; and so does a run checkpointed as it goes.
 */
class DemoEnginePreemptionIT {

    private static final String MODEL = "wan2.1-t2v-demo";

    @TempDir
    Path workDir;

    @Test
    void aRunSuspendedForATaskDueEarlierOrCheckpointedResumesToTheSameMp4AsAnUninterruptedRunAlsoAfterARestart()
            throws Exception {
        LocalProperties properties = new LocalProperties(null, List.of("cpu"), workDir, 12, 5.0, "unipc",
                Duration.ofSeconds(30), Duration.ofHours(1), null, null, false, null, false, null);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] uninterrupted;
        Instant now = Instant.now();
        try (LocalBackend backend = backend(properties, meters)) {
            String whole = backend.submit(task("video_whole", 7, now.plusSeconds(3600), null));
            uninterrupted = bytes(backend, awaitState(backend, whole, TaskSnapshot.State.SUCCEEDED));

            Pair tasks = suspendedFor(backend, "video_late", "video_urgent", now);
            TaskSnapshot first = awaitState(backend, tasks.urgent(), TaskSnapshot.State.SUCCEEDED);
            TaskSnapshot resumed = awaitState(backend, tasks.late(), TaskSnapshot.State.SUCCEEDED);

            assertThat(meters.get("gateway.local.suspensions").counter().count()).isEqualTo(1);
            assertThat(bytes(backend, resumed)).as("the resumed run's MP4").isEqualTo(uninterrupted);
            assertThat(bytes(backend, first)).isNotEqualTo(uninterrupted);
            assertThat(suspendedFiles()).as("nothing kept once the run finished").isEmpty();

            // The gateway stops while a run waits suspended: its state stays on disk ...
            suspendedFor(backend, "video_restarted", "video_urgent_2", now);
            assertThat(suspendedFiles()).hasSize(1);
        }
        assertThat(suspendedFiles()).hasSize(1);
        // ... and the restarted gateway's engine, a new one, continues the job from that step boundary.
        try (LocalBackend restarted = backend(properties, new SimpleMeterRegistry())) {
            String again = restarted.submit(task("video_restarted", 7, now.plusSeconds(3600), null));
            assertThat(restarted.poll(again).progress()).as("where the run stopped").isGreaterThan(20);
            TaskSnapshot done = awaitState(restarted, again, TaskSnapshot.State.SUCCEEDED);
            assertThat(bytes(restarted, done)).as("the MP4 after a restart").isEqualTo(uninterrupted);
            assertThat(suspendedFiles()).isEmpty();
        }
        // A run checkpointed at every step boundary (its state to disk, then on at once): the same MP4. The interval
        // is 1 ms, not a realistic one, so that the checkpoints happen however fast the machine runs the demo's steps
        // (with 300 ms, an idle machine finished all 12 steps before the first was due, and the test failed).
        LocalProperties checkpointing = new LocalProperties(null, List.of("cpu"), workDir, 12, 5.0, "unipc",
                Duration.ofSeconds(30), Duration.ofHours(1), null, null, false, null, false, Duration.ofMillis(1));
        SimpleMeterRegistry checkpoints = new SimpleMeterRegistry();
        try (LocalBackend backend = backend(checkpointing, checkpoints)) {
            String task = backend.submit(task("video_checkpointed", 7, now.plusSeconds(3600), null));
            TaskSnapshot done = awaitState(backend, task, TaskSnapshot.State.SUCCEEDED);
            assertThat(checkpoints.get("gateway.local.checkpoints").counter().count()).isGreaterThanOrEqualTo(2);
            assertThat(bytes(backend, done)).as("the checkpointed run's MP4").isEqualTo(uninterrupted);
            assertThat(suspendedFiles()).isEmpty();
        }
    }

    @Test
    void withPreemptionOnTheConfigurationChecksBothDemoEnginesAtStartUpAndTheyPassOnTheCpu() throws Exception {
        LocalProperties properties = new LocalProperties(null, List.of("cpu"), workDir, 12, 5.0, "unipc",
                Duration.ofSeconds(30), Duration.ofHours(1), null, null, true, null, false, null);
        var beans = new org.springframework.beans.factory.support.StaticListableBeanFactory();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LocalBackend backend = new LocalBackendConfiguration().localBackend(properties,
                beans.getBeanProvider(VideoEngine.class), beans.getBeanProvider(LocalEngineLoader.class),
                io.github.resilience4j.bulkhead.BulkheadRegistry.ofDefaults(), meters,
                beans.getBeanProvider(Clock.class), beans.getBeanProvider(dev.wanhybrid.gateway.backend.InputImages.class),
                new org.springframework.mock.env.MockEnvironment().withProperty("gateway.routing.preemption", "true"))) {
            assertThat(backend.servedModels()).containsExactlyInAnyOrder("wan2.1-t2v-demo", "wan2.2-ti2v-demo");
            assertThat(meters.get("gateway.local.suspend.check").gauges()).hasSize(2)
                    .allSatisfy(g -> assertThat(g.value()).as(g.getId().toString()).isEqualTo(1));
            assertThat(backend.queue().suspends()).isTrue();
        }
    }

    private static LocalBackend backend(LocalProperties properties, SimpleMeterRegistry meters) throws Exception {
        VideoEngine engine = WanEngines.demo(LocalBackendConfiguration.options(properties, "cpu"));
        assertThat(engine.suspends()).isTrue();
        return new LocalBackend(properties, List.of(engine), LocalProperties.NO_WEIGHTS, Bulkhead.of("local",
                BulkheadConfig.custom().maxConcurrentCalls(4).maxWaitDuration(Duration.ZERO).build()), meters,
                Clock.systemUTC());
    }

    /** The suspended task and the one it made room for. */
    private record Pair(String late, String urgent) {}

    /** Starts job {@code jobId}, then a job due sooner that pre-empts it; returns once it waits suspended. */
    private static Pair suspendedFor(LocalBackend backend, String jobId, String urgentJobId, Instant now)
            throws Exception {
        String late = backend.submit(task(jobId, 7, now.plusSeconds(3600), null));
        // A few of its 12 steps done (5 % is the text encoder; steps follow).
        await().atMost(5, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(5))
                .until(() -> backend.poll(late).progress() > 20);
        String urgent = backend.submit(task(urgentJobId, 8, now.plusSeconds(600), late));
        // Suspended at a step boundary, it waits with its progress while the newcomer runs.
        await().atMost(5, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(5))
                .until(() -> backend.poll(late).state() == TaskSnapshot.State.PENDING
                        && backend.poll(urgent).state() == TaskSnapshot.State.RUNNING);
        assertThat(backend.poll(late).progress()).isGreaterThan(20);
        return new Pair(late, urgent);
    }

    private List<Path> suspendedFiles() throws Exception {
        Path dir = workDir.resolve("suspended");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = java.nio.file.Files.list(dir)) {
            return files.toList();
        }
    }

    private static BackendTask task(String jobId, long seed, Instant dueBy, String preempts) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("demo", MODEL, TaskKind.T2V, "a red kite over the sea",
                null, new VideoSize(256, 160), 1, seed, null, AudioSpec.NONE, null, RoutingHints.NONE), dueBy, null,
                null, preempts);
    }

    private static TaskSnapshot awaitState(LocalBackend backend, String taskId, TaskSnapshot.State state) {
        await().atMost(5, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(20)).until(() -> {
            TaskSnapshot s = backend.poll(taskId);
            assertThat(s.state()).isNotIn(TaskSnapshot.State.FAILED, TaskSnapshot.State.CANCELED);
            return s.state() == state;
        });
        return backend.poll(taskId);
    }

    private static byte[] bytes(LocalBackend backend, TaskSnapshot done) throws Exception {
        try (InputStream in = backend.openResult(done)) {
            return in.readAllBytes();
        }
    }
}
