package dev.wanhybrid.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The library's own client against the simulator: lifecycle, paths, usage shapes and error classification. */
class DashScopeClientIT {

    private static final String KEY = "sk-client-test-key";

    private MutableClock clock;
    private DashScopeSimulator simulator;
    private DashScopeClient client;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
        simulator = DashScopeSimulator.builder().apiKey(KEY).clock(clock)
                .pendingFor(Duration.ofSeconds(5)).runningFor(Duration.ofSeconds(60)).build().start();
        client = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl()).build();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void aTextToVideoTaskGoesFromPendingThroughRunningToAVideoWithItsUsage() throws Exception {
        CreatedTask created = client.create(VideoRequest.builder("wan2.6-t2v").prompt("a lighthouse at dusk")
                .size("1920*1080").duration(8).build());
        assertThat(created.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(client.query(created.taskId()).status()).isEqualTo(TaskStatus.PENDING);

        clock.advance(Duration.ofSeconds(10));
        TaskView running = client.query(created.taskId());
        assertThat(running.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(running.submitTime()).isEqualTo(Instant.parse("2026-11-22T03:00:00Z"));
        assertThat(running.scheduledTime()).isEqualTo(Instant.parse("2026-11-22T03:00:05Z"));

        clock.advance(Duration.ofMinutes(1));
        TaskView done = client.query(created.taskId());
        assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(done.endTime()).isEqualTo(Instant.parse("2026-11-22T03:01:05Z"));
        assertThat(done.usage().billedSeconds()).isEqualByComparingTo("8");
        assertThat(done.usage().sr()).isEqualTo(1080);
        try (InputStream video = client.openVideo(done.videoUrl())) {
            byte[] bytes = video.readAllBytes();
            assertThat(new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
            assertThat(bytes.length).isGreaterThan(10_000);
        }
    }

    @Test
    void keyFrameModelsGoToTheImageToVideoPath() throws Exception {
        CreatedTask created = client.create(VideoRequest.builder("wan2.1-kf2v-plus")
                .firstFrameUrl("https://example.com/a.png").lastFrameUrl("https://example.com/b.png")
                .resolution("720P").build());
        clock.advance(Duration.ofMinutes(2));

        TaskView done = client.query(created.taskId());

        assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(done.usage().size()).isEqualTo("standard");
        assertThat(done.usage().billedSeconds()).isEqualByComparingTo("5");
    }

    @Test
    void theFlashModelReportsSilenceInItsUsageWhenAudioIsOff() throws Exception {
        CreatedTask created = client.create(VideoRequest.builder("wan2.6-i2v-flash").prompt("rain")
                .imgUrl("https://example.com/street.jpg").resolution("720P").audio(false).build());
        clock.advance(Duration.ofMinutes(2));

        assertThat(client.query(created.taskId()).usage().audio()).isFalse();
    }

    @Test
    void anUnknownTaskIsAViewWithStatusUnknownNotAnError() throws Exception {
        assertThat(client.query("no-such-task").status()).isEqualTo(TaskStatus.UNKNOWN);
    }

    @Test
    void aRequestTheCatalogForbidsNeverReachesTheService() {
        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.2-t2v-plus").prompt("x").size("1280*720").build()));

        assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(e.field()).isEqualTo("parameters.size");
        assertThat(simulator.stats().createAttempts()).isZero();
    }

    @Test
    void aWrongKeyIsAnAuthError() {
        DashScopeClient wrong = DashScopeClient.builder().apiKey(ApiKey.of("sk-not-the-right-one"))
                .baseUrl(simulator.baseUrl()).build();

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> wrong.query("x"));

        assertThat(e.category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(e.code()).isEqualTo("InvalidApiKey");
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.getMessage()).doesNotContain("sk-not-the-right-one");
    }

    @Test
    void throttlingIsClassifiedWithTheAdvisedWait() {
        simulator.faults().throttleAll(true).retryAfter(Duration.ofSeconds(7));

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.6-t2v").prompt("x").build()));

        assertThat(e.category()).isEqualTo(ErrorCategory.THROTTLED);
        assertThat(e.code()).isEqualTo("Throttling.RateQuota");
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.acceptanceUnknown()).isFalse();
    }

    @Test
    void anOutageIsRetryableAndCreatesNothing() {
        simulator.faults().outage(clock.instant(), clock.instant().plusSeconds(60));

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.6-t2v").prompt("x").build()));

        assertThat(e.category()).isEqualTo(ErrorCategory.RETRYABLE);
        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.acceptanceUnknown()).isFalse();
        assertThat(simulator.stats().submissions()).isZero();
    }

    @Test
    void aLostCreateAnswerIsAcceptanceUnknownAndTheTaskCanBeFoundInTheList() throws Exception {
        simulator.faults().loseCreateResponses(1);
        Instant before = clock.instant();

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.6-t2v").prompt("lost answer").build()));

        assertThat(e.acceptanceUnknown()).isTrue();
        assertThat(e.isRetryable()).isFalse();
        assertThat(simulator.stats().submissions()).isEqualTo(1);
        List<ListedTask> listed = client.list(before.minusSeconds(1), before.plusSeconds(60), "wan2.6-t2v", 1, 10);
        assertThat(listed).hasSize(1);
        assertThat(client.query(listed.getFirst().taskId()).status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void inputModerationRefusesTheCreateAsContentPolicy() {
        simulator.faults().blockedWords(java.util.Set.of("forbidden"));

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.6-t2v").prompt("a forbidden scene").build()));

        assertThat(e.category()).isEqualTo(ErrorCategory.CONTENT_POLICY);
        assertThat(e.code()).isEqualTo("DataInspectionFailed");
    }

    @Test
    void mainlandClientsSendTheMainlandModelName() throws Exception {
        try (DashScopeSimulator mainland = DashScopeSimulator.builder().apiKey(KEY).clock(clock)
                .region(Region.MAINLAND).build().start()) {
            DashScopeClient cn = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).region(Region.MAINLAND)
                    .baseUrl(mainland.baseUrl()).build();

            cn.create(VideoRequest.builder("wan2.1-t2v-turbo").prompt("x").size("832*480").build());

            assertThat(mainland.submissions("wan2.1-t2v-turbo")).isEqualTo(1);
        }
    }

    @Test
    void stuckTasksStayRunning() throws Exception {
        simulator.faults().stuckRate(1.0);
        CreatedTask created = client.create(VideoRequest.builder("wan2.6-t2v").prompt("x").build());

        clock.advance(Duration.ofHours(3));

        TaskView view = client.query(created.taskId());
        assertThat(view.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(view.usage()).isNull();
    }
}
