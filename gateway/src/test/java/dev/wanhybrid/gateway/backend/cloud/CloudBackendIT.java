package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cloud backend over the real client against the DashScope simulator, as the job dispatcher drives it. */
class CloudBackendIT {

    private static final String KEY = "sk-backend-test";

    private MutableClock clock;
    private DashScopeSimulator simulator;
    private CloudBackend backend;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-22T04:00:00Z"));
        simulator = DashScopeSimulator.builder().apiKey(KEY).clock(clock)
                .pendingFor(Duration.ofSeconds(5)).runningFor(Duration.ofSeconds(60)).build().start();
        backend = backend(Duration.ofMillis(300));
    }

    private CloudBackend backend(Duration permitWait) {
        DashScopeClient client = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl())
                .catalog(ModelCatalog.load()).build();
        return new CloudBackend(client, null, "simulator", properties(permitWait), clock);
    }

    private static CloudProperties properties(Duration permitWait) {
        return new CloudProperties(KEY, "international", null, null, 20, Map.of(), permitWait,
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30),
                new CloudProperties.Simulator(false, 0, "x", Duration.ZERO, Duration.ZERO, 0, null));
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void aSubmittedJobRunsToAVideoWithBilledSeconds() throws Exception {
        String taskId = backend.submit(task("job-1", "wan2.6-t2v", spec(TaskKind.T2V, null, 10, AudioSpec.GENERATED)));

        assertThat(backend.poll(taskId).state()).isEqualTo(TaskSnapshot.State.PENDING);
        clock.advance(Duration.ofSeconds(10));
        assertThat(backend.poll(taskId).state()).isEqualTo(TaskSnapshot.State.RUNNING);
        clock.advance(Duration.ofMinutes(1));
        TaskSnapshot done = backend.poll(taskId);

        assertThat(done.state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
        assertThat(done.billedSeconds()).isEqualByComparingTo("10");
        try (InputStream video = backend.openResult(done)) {
            byte[] bytes = video.readAllBytes();
            assertThat(new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        }
        assertThat(backend.limits().inFlight("wan2.6-t2v")).isZero();
    }

    @Test
    void anImageJobSendsTheTierAsResolution() throws Exception {
        GenerationSpec spec = new GenerationSpec("t", "wan2.2-i2v-plus", TaskKind.I2V, "the cat blinks", null,
                new VideoSize(832, 480), 5, 7L, URI.create("https://example.com/cat.png"), AudioSpec.NONE, null, null);

        String taskId = backend.submit(task("job-i2v", "wan2.2-i2v-plus", spec));
        clock.advance(Duration.ofMinutes(2));

        assertThat(backend.poll(taskId).state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
    }

    @Test
    void anUploadedImageIsSentInlineAsADataUrl() throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(832, 480,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", png);
        java.util.List<String> read = new java.util.ArrayList<>();
        CloudBackend withUploads = new CloudBackend(
                DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl())
                        .catalog(ModelCatalog.load()).build(),
                null, "simulator", properties(Duration.ofMillis(300)), clock, key -> {
                    read.add(key);
                    return png.toByteArray();
                });
        GenerationSpec spec = new GenerationSpec("t", "wan2.2-i2v-plus", TaskKind.I2V, "the cat blinks", null,
                new VideoSize(832, 480), 5, 7L, URI.create("upload:uploads/cat.png"), AudioSpec.NONE, null, null);

        String taskId = withUploads.submit(task("job-upload", "wan2.2-i2v-plus", spec));
        clock.advance(Duration.ofMinutes(2));

        assertThat(read).containsExactly("uploads/cat.png");
        assertThat(withUploads.poll(taskId).state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
        assertThat(UploadedImages.dataUrl(png.toByteArray())).startsWith("data:image/png;base64,iVBOR");
    }

    @Test
    void anUnreadableUploadIsInvalidInputAndCostsNoCall() {
        GenerationSpec spec = new GenerationSpec("t", "wan2.2-i2v-plus", TaskKind.I2V, "the cat blinks", null,
                new VideoSize(832, 480), 5, 7L, URI.create("upload:uploads/gone.png"), AudioSpec.NONE, null, null);

        BackendException e = catchThrowableOfType(BackendException.class,
                () -> backend.submit(task("job-gone", "wan2.2-i2v-plus", spec)));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(simulator.stats().createAttempts()).isZero();
    }

    @Test
    void aCombinationTheCatalogForbidsIsInvalidInputAndCostsNoCall() {
        GenerationSpec spec = new GenerationSpec("t", "wan2.2-t2v-plus", TaskKind.T2V, "x", null,
                new VideoSize(1280, 720), 5, null, null, AudioSpec.NONE, null, null);

        BackendException e = catchThrowableOfType(BackendException.class,
                () -> backend.submit(task("job-bad", "wan2.2-t2v-plus", spec)));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(e.getMessage()).contains("parameters.size").contains("1280*720");
        assertThat(simulator.stats().createAttempts()).isZero();
    }

    @Test
    void soundOnASilentModelIsRefusedNamingAudio() {
        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(
                task("job-audio", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED))));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_INPUT);
        assertThat(e.getMessage()).contains("parameters.audio");
    }

    @Test
    void beyondTheModelsConcurrencyASubmissionWaitsLocallyThenIsRefusedWithoutSending() throws Exception {
        backend.submit(task("job-a", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE)));
        backend.submit(task("job-b", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE)));

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(
                task("job-c", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE))));

        assertThat(e.kind()).as("a refusal the breaker ignores; the dispatcher may try local")
                .isEqualTo(BackendException.Kind.REFUSED);
        assertThat(e.code()).isEqualTo("LocalConcurrencyLimit");
        assertThat(e.retryAfter()).isPositive();
        assertThat(simulator.stats().createAttempts()).isEqualTo(2);
        assertThat(backend.reconcile(task("job-c", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE))))
                .as("never sent, so safe to submit again").isEmpty();
    }

    @Test
    void tasksFoundAgainAfterARestartCountAgainstTheModelsLimitUntilTheyEnd() throws Exception {
        BackendTask a = task("job-a", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE));
        BackendTask b = task("job-b", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE));
        String taskA = backend.submit(a);
        String taskB = backend.submit(b);

        CloudBackend restarted = backend(Duration.ofMillis(300));
        restarted.track(a, taskA);
        restarted.track(b, taskB);
        assertThat(restarted.poll(taskA).state()).isEqualTo(TaskSnapshot.State.PENDING);
        assertThat(restarted.poll(taskB).state()).isEqualTo(TaskSnapshot.State.PENDING);
        assertThat(restarted.limits().inFlight("wan2.1-t2v-turbo")).isEqualTo(2);
        restarted.poll(taskA);
        assertThat(restarted.limits().inFlight("wan2.1-t2v-turbo")).as("polling again counts it once").isEqualTo(2);

        BackendTask c = task("job-c", "wan2.1-t2v-turbo", spec(TaskKind.T2V, null, 5, AudioSpec.NONE));
        BackendException e = catchThrowableOfType(BackendException.class, () -> restarted.submit(c));
        assertThat(e.code()).isEqualTo("LocalConcurrencyLimit");
        assertThat(simulator.stats().createAttempts()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(2));
        assertThat(restarted.poll(taskA).state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
        assertThat(restarted.poll(taskB).state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
        assertThat(restarted.limits().inFlight("wan2.1-t2v-turbo")).isZero();
        assertThat(restarted.submit(c)).isNotBlank();
    }

    @Test
    void aLostAnswerIsAcceptanceUnknownAndReconcileFindsTheTaskWithoutResubmitting() throws Exception {
        simulator.faults().loseCreateResponses(1);
        BackendTask task = task("job-lost", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED));

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(task));
        assertThat(e.kind()).isEqualTo(BackendException.Kind.ACCEPTANCE_UNKNOWN);

        BackendException running = catchThrowableOfType(BackendException.class, () -> backend.reconcile(task));
        assertThat(running.kind()).as("a pending task's details cannot tell whose it is yet")
                .isEqualTo(BackendException.Kind.UNDECIDED);
        assertThat(backend.limits().inFlight("wan2.6-t2v")).as("the job in doubt holds its slot").isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        Optional<String> found = backend.reconcile(task);

        assertThat(found).isPresent();
        assertThat(simulator.stats().submissions()).isEqualTo(1);
        assertThat(backend.poll(found.get()).state()).isEqualTo(TaskSnapshot.State.SUCCEEDED);
        assertThat(backend.limits().inFlight("wan2.6-t2v")).as("the found task has finished: slot free").isZero();
    }

    @Test
    void afterARestartReconcileAnswersOnlyWhenTheTaskListProvesIt() throws Exception {
        BackendTask task = task("job-restart", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED));
        assertThat(backend(Duration.ofMillis(300)).reconcile(task)).as("nothing listed: certainly never sent").isEmpty();

        backend.submit(task("job-other", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED)));
        BackendException e = catchThrowableOfType(BackendException.class,
                () -> backend(Duration.ofMillis(300)).reconcile(task));

        assertThat(e.kind()).as("undecided while another task runs; no backend failure")
                .isEqualTo(BackendException.Kind.UNDECIDED);
        assertThat(e.code()).isEqualTo("ReconcilePending");
    }

    @Test
    void anOutageIsUnavailableSoTheDispatcherCanFallBack() {
        simulator.faults().outage(clock.instant(), clock.instant().plusSeconds(60));

        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.submit(
                task("job-o", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED))));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(backend.limits().inFlight("wan2.6-t2v")).isZero();
    }

    @Test
    void aPendingTaskCancelsAndARunningOneIsReportedAsUncancellable() throws Exception {
        String pending = backend.submit(task("job-p", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED)));
        backend.cancel(pending);
        assertThat(backend.poll(pending).state()).isEqualTo(TaskSnapshot.State.CANCELED);

        String running = backend.submit(task("job-r", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED)));
        clock.advance(Duration.ofSeconds(10));
        BackendException e = catchThrowableOfType(BackendException.class, () -> backend.cancel(running));
        assertThat(e.code()).isEqualTo("UnsupportedOperation");
        assertThat(e.getMessage()).contains("RUNNING");
    }

    @Test
    void anExpiredTaskIsUnknown() throws Exception {
        String taskId = backend.submit(task("job-x", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED)));
        clock.advance(Duration.ofHours(25));

        assertThat(backend.poll(taskId).state()).isEqualTo(TaskSnapshot.State.UNKNOWN);
    }

    @Test
    void withoutAKeyTheBackendIsNotReadyAndSaysHowToFixIt() {
        CloudBackend unconfigured = new CloudBackend(null, CloudBackendConfiguration.NO_KEY, null,
                new CloudProperties(null, "international", null, null, 20, null, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        new CloudProperties.Simulator(false, 0, "x", Duration.ZERO, Duration.ZERO, 0, null)),
                clock);

        assertThat(unconfigured.readiness().ready()).isFalse();
        assertThat(unconfigured.readiness().detail()).isEqualTo("no DashScope API key: set DASHSCOPE_API_KEY (or "
                + "gateway.cloud.api-key) and gateway.cloud.region");
        BackendException e = catchThrowableOfType(BackendException.class, () -> unconfigured.submit(
                task("j", "wan2.6-t2v", spec(TaskKind.T2V, null, 5, AudioSpec.GENERATED))));
        assertThat(e.kind()).isEqualTo(BackendException.Kind.REFUSED);
    }

    private static BackendTask task(String jobId, String model, GenerationSpec spec) {
        return new BackendTask(jobId, model, spec);
    }

    private static GenerationSpec spec(TaskKind kind, URI image, int seconds, AudioSpec audio) {
        return new GenerationSpec("tenant-a", "auto", kind, "a paper boat on a river", null, null, seconds, null,
                image, audio, null, null);
    }
}
