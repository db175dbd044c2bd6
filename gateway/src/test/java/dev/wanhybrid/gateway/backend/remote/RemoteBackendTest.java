package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.TaskSnapshot.State;
import dev.wanhybrid.gateway.catalog.QualityTier;
import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RemoteBackend} straight against a fake vLLM-Omni server on loopback, without the gateway around it: status
 * transitions, {@code DELETE} as cancel, the blocking {@code /v1/videos/sync} variant, reconciliation of a lost
 * creation answer, the load it reports, and the failure kinds of refused requests.
 */
class RemoteBackendTest {

    private static final String SERVED = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers";
    private FakeVllmOmniServer server;

    @BeforeEach
    void start() {
        // 10 steps x 17 frames (1 s at 16 fps, plus one) x 0.006 s: about 1 s a job.
        server = new FakeVllmOmniServer(Set.of(SERVED), 0.006, "sk-vllm").start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RemoteBackend backend(RemoteEngineProperties.Api api, String key, int steps) {
        var model = new RemoteEngineProperties.Model("wan-1.3b-a", SERVED, Set.of(TaskKind.T2V),
                List.of("832x480"), 5, 16, true, List.of(), steps, new BigDecimal("6.0"), true, QualityTier.DRAFT,
                Duration.ofSeconds(3));
        var gpu = new RemoteEngineProperties.Gpu("h100", 2, null, new RemoteEngineProperties.Owned(
                new BigDecimal("30000"), new BigDecimal("4"), new BigDecimal("700"), new BigDecimal("100"),
                new BigDecimal("0.20"), null));
        return new RemoteBackend(new RemoteEngineProperties.Engine("gpu-a", server.baseUrl(), api, key, 3,
                Duration.ofSeconds(5), Duration.ofSeconds(10), gpu, List.of(model)), reference -> {
                    throw new java.io.IOException("these tests send no image");
                });
    }

    private static BackendTask task(String prompt, AudioSpec audio) {
        return new BackendTask("job-" + prompt.hashCode(), "wan-1.3b-a", new GenerationSpec("acme", "wan-1.3b-a",
                TaskKind.T2V, prompt, null, new VideoSize(832, 480), 1, 7L, null, audio, null, null));
    }

    private static byte[] mp4(String name) throws Exception {
        try (InputStream in = RemoteBackendTest.class.getResourceAsStream("/dev/wanhybrid/cloud/simulator/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aJobGoesFromQueuedThroughInProgressToCompletedAndItsContentIsTheMp4() throws Exception {
        RemoteBackend backend = backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 10);
        String first = backend.submit(task("first", AudioSpec.NONE));
        String second = backend.submit(task("second", AudioSpec.GENERATED));
        // One worker: the second waits behind the first.
        assertThat(backend.poll(second).state()).isEqualTo(State.PENDING);
        assertThat(backend.load().queue().queued() + backend.load().queue().running()).isEqualTo(2);
        assertThat(backend.load().queue().estimatedWait()).isPositive();

        await().atMost(Duration.ofSeconds(10)).until(() -> backend.poll(second).state() == State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.poll(second).state() == State.SUCCEEDED);
        TaskSnapshot done = backend.poll(first);
        assertThat(done.state()).isEqualTo(State.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(100);
        // 2 GPUs behind the job: GPU-seconds are twice its inference time (10 x 17 x 0.006 s = 1.02 s).
        assertThat(done.gpuSeconds()).isEqualByComparingTo("2.04");
        try (InputStream in = backend.openResult(done)) {
            assertThat(in.readAllBytes()).isEqualTo(mp4("silent.mp4"));
        }
        try (InputStream in = backend.openResult(backend.poll(second))) {
            assertThat(in.readAllBytes()).as("generate_sound").isEqualTo(mp4("with-audio.mp4"));
        }
        // Measured now: the service time routing reads is the server's inference time, not the configured 3 s/s.
        assertThat(backend.load().serviceTime("wan-1.3b-a", new VideoSize(832, 480), 1).toMillis())
                .isBetween(1000L, 1100L);
        assertThat(backend.load().queue().queued() + backend.load().queue().running()).isZero();
        // Owned fleet: (700 - 100) W x 0.20 $/kWh = $0.0000333 a GPU-second.
        assertThat(backend.load().usdForGpuSeconds(new BigDecimal("3600"))).isEqualByComparingTo("0.12");
    }

    @Test
    void cancelIsADeleteThatStopsTheJobAndTheServerForgetsIt() throws Exception {
        RemoteBackend backend = backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 10);
        String id = backend.submit(task("to cancel", AudioSpec.NONE));
        String next = backend.submit(task("behind it", AudioSpec.NONE));
        assertThat(backend.poll(next).state()).isEqualTo(State.PENDING);
        backend.cancel(id);
        assertThat(server.deletions()).isEqualTo(1);
        assertThat(server.unfinished()).as("only the job behind it").isEqualTo(1);
        assertThat(backend.poll(next).state()).as("the freed worker takes the next job").isEqualTo(State.RUNNING);
        assertThat(backend.poll(id).state()).isEqualTo(State.UNKNOWN);
        // Cancelling again (a retried cancel) is harmless: the server answers 404 and nothing is thrown.
        backend.cancel(id);
    }

    @Test
    void aSyncOnlyServerAnswersWithTheMp4AndTheJobCompletes() throws Exception {
        RemoteBackend backend = backend(RemoteEngineProperties.Api.VLLM_OMNI_SYNC, "sk-vllm", 10);
        String id = backend.submit(task("sync", AudioSpec.NONE));
        assertThat(backend.poll(id).state()).isEqualTo(State.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.poll(id).state() == State.SUCCEEDED);
        try (InputStream in = backend.openResult(backend.poll(id))) {
            assertThat(in.readAllBytes()).isEqualTo(mp4("silent.mp4"));
        }
        assertThat(server.creations()).hasSize(1);
        assertThat(server.creations().getFirst()).containsEntry("num_frames", "17")
                .containsEntry("num_inference_steps", "10").containsEntry("guidance_scale", "6.0")
                .containsEntry("seed", "7");
    }

    @Test
    void aSyncCallHeldByAGatewayProcessThatStoppedFailsClearlyRatherThanRunningTwice() throws Exception {
        RemoteBackend before = backend(RemoteEngineProperties.Api.VLLM_OMNI_SYNC, "sk-vllm", 10);
        String id = before.submit(task("cut short", AudioSpec.NONE));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.creations().size() == 1);

        // The restarted gateway (a new process) polls the job's stored task id; the blocking call was not its own.
        RemoteBackend after = backend(RemoteEngineProperties.Api.VLLM_OMNI_SYNC, "sk-vllm", 10);
        TaskSnapshot snapshot = after.poll(id);
        // Not UNKNOWN: the job processor resubmits an unknown task on a self-hosted backend, running it twice.
        assertThat(snapshot.state()).isEqualTo(State.FAILED);
        assertThat(snapshot.errorCode()).isEqualTo(RemoteBackend.SYNC_INTERRUPTED).isEqualTo("remote_sync_interrupted");
        assertThat(snapshot.errorMessage()).contains("gpu-a", "/v1/videos/sync", "not sent again");
        assertThat(server.creations()).hasSize(1);
        // The process that made the call still completes it (a replica that did not stop keeps its jobs).
        await().atMost(Duration.ofSeconds(10)).until(() -> before.poll(id).state() == State.SUCCEEDED);
    }

    @Test
    void aCreationWhoseAnswerWasLostIsFoundAgainNotSubmittedTwice() throws Exception {
        String id = backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 10).submit(task("lost answer",
                AudioSpec.NONE));
        // Another process (a restarted gateway) that never saw the answer.
        RemoteBackend other = backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 10);
        assertThat(other.reconcile(task("lost answer", AudioSpec.NONE))).contains(id);
        assertThat(other.reconcile(task("never sent", AudioSpec.NONE))).isEmpty();
        assertThat(server.creations()).hasSize(1);
    }

    @Test
    void refusalsAreClassifiedSoTheDispatcherKnowsWhatToDo() throws Exception {
        var wrongKey = catchThrowableOfType(BackendException.class,
                () -> backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-wrong", 10).submit(task("x", AudioSpec.NONE)));
        assertThat(wrongKey.kind()).isEqualTo(BackendException.Kind.AUTH);

        var badSteps = catchThrowableOfType(BackendException.class,
                () -> backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 500).submit(task("x", AudioSpec.NONE)));
        assertThat(badSteps.kind()).isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(badSteps.getMessage()).contains("num_inference_steps");

        RemoteBackend backend = backend(RemoteEngineProperties.Api.VLLM_OMNI, "sk-vllm", 10);
        for (int i = 0; i < 3; i++) {
            backend.submit(task("fill " + i, AudioSpec.NONE));
        }
        var full = catchThrowableOfType(BackendException.class, () -> backend.submit(task("one more", AudioSpec.NONE)));
        assertThat(full.kind()).as("max-concurrent 3").isEqualTo(BackendException.Kind.REFUSED);

        server.stop();
        var down = catchThrowableOfType(BackendException.class, () -> backend.submit(task("down", AudioSpec.NONE)));
        assertThat(down.kind()).as("connection refused: nothing was created, another backend may take it")
                .isIn(BackendException.Kind.UNAVAILABLE, BackendException.Kind.REFUSED);
    }

    @Test
    void theFormIsVllmOmnisFieldsInOnePlace() {
        var model = new RemoteEngineProperties.Model("m", SERVED, Set.of(TaskKind.T2V), List.of("1280x704"), 5, 24,
                false, List.of("film-grain"), 4, null, true, QualityTier.STANDARD, Duration.ofSeconds(1));
        Map<String, String> form = VllmOmniClient.form(new GenerationSpec("t", "m", TaskKind.I2V, "p", "no text",
                new VideoSize(1280, 704), 5, null, URI.create("https://images.example.com/a.png"),
                AudioSpec.NONE, null, null, "film-grain"), model, new VideoSize(1280, 704));
        assertThat(form).containsEntry("width", "1280").containsEntry("height", "704")
                .containsEntry("num_frames", "121").containsEntry("fps", "24").containsEntry("seconds", "5")
                .containsEntry("num_inference_steps", "4").containsEntry("negative_prompt", "no text")
                .containsEntry("lora", "{\"name\":\"film-grain\"}")
                .doesNotContainKeys("guidance_scale", "seed", "generate_sound", "image_reference", "input_reference");
    }
}
