package dev.wanhybrid.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesis;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisParam;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisResult;
import com.alibaba.dashscope.exception.ApiException;
import com.alibaba.dashscope.utils.Constants;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official DashScope Java SDK, pointed at the simulator, sees what it would see from Alibaba. */
class SdkAgainstSimulatorIT {

    private static final String KEY = "sk-fidelity-test-key";

    private DashScopeSimulator simulator;
    private MutableClock clock;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
        simulator = DashScopeSimulator.builder().apiKey(KEY).clock(clock)
                .pendingFor(Duration.ofSeconds(5)).runningFor(Duration.ofSeconds(60)).build().start();
        Constants.baseHttpApiUrl = simulator.baseUrl().toString();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void asyncCallFetchAndWaitFollowATextToVideoTaskToItsVideo() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY)
                .model("wan2.6-t2v").prompt("a red fox running through snow").size("1280*720").duration(10)
                .build());

        assertThat(created.getOutput().getTaskStatus()).isEqualTo("PENDING");
        String taskId = created.getOutput().getTaskId();
        assertThat(taskId).isNotBlank();
        assertThat(created.getRequestId()).isNotBlank();

        assertThat(vs.fetch(taskId, KEY).getOutput().getTaskStatus()).isEqualTo("PENDING");
        clock.advance(Duration.ofSeconds(6));
        VideoSynthesisResult running = vs.fetch(taskId, KEY);
        assertThat(running.getOutput().getTaskStatus()).isEqualTo("RUNNING");
        assertThat(running.getOutput().getScheduledTime()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}");

        clock.advance(Duration.ofSeconds(60));
        VideoSynthesisResult done = vs.wait(taskId, KEY);
        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getOutput().getOrigPrompt()).isEqualTo("a red fox running through snow");
        assertThat(done.getOutput().getActualPrompt()).as("wan2.6 never reports an extended prompt").isNull();
        // 03:00 UTC is 11:00 in UTC+8, the zone DashScope writes its zone-less times in.
        assertThat(done.getOutput().getSubmitTime()).isEqualTo("2026-11-22 11:00:00.000");
        assertThat(done.getUsage().getDuration()).isEqualTo(10f);
        assertThat(done.getUsage().getOutputVideoDuration()).isEqualTo(10f);
        assertThat(done.getUsage().getSize()).isEqualTo("1280*720");
        assertThat(done.getUsage().getSR()).isEqualTo("720");
        assertThat(done.getUsage().getVideoCount()).isEqualTo(1);
        try (InputStream video = URI.create(done.getOutput().getVideoUrl()).toURL().openStream()) {
            byte[] head = video.readNBytes(12);
            assertThat(new String(head, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        }
        assertThat(simulator.stats().submissions()).isEqualTo(1);
    }

    @Test
    void imageToVideoUsesTheLegacyUsageShapeAndResolution() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY)
                .model("wan2.5-i2v-preview").prompt("the cat turns its head")
                .imgUrl("https://example.com/cat.png").resolution("480P").duration(10).build());
        clock.advance(Duration.ofMinutes(2));

        VideoSynthesisResult done = vs.fetch(created.getOutput().getTaskId(), KEY);

        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getUsage().getDuration()).isEqualTo(10f);
        assertThat(done.getUsage().getSR()).isEqualTo("480");
        assertThat(done.getOutput().getActualPrompt()).startsWith("the cat turns its head");
    }

    @Test
    void listShowsTasksOfAModelInTheSdksOwnShape() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        String taskId = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.6-t2v").prompt("list me")
                .build()).getOutput().getTaskId();
        vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.2-t2v-plus").prompt("not me").build());

        var listed = vs.list(com.alibaba.dashscope.task.AsyncTaskListParam.builder().apiKey(KEY)
                .modelName("wan2.6-t2v").startTime("20261122105900").endTime("20261122110100").build());

        assertThat(listed.getData()).singleElement().satisfies(task -> {
            assertThat(task.getTaskId()).isEqualTo(taskId);
            assertThat(task.getStatus()).isEqualTo("PENDING");
            assertThat(task.getGmtCreate()).isEqualTo(Instant.parse("2026-11-22T03:00:00Z").toEpochMilli());
        });
        assertThat(listed.getTotal()).isEqualTo(1);
    }

    @Test
    void cancelWhilePendingEndsTheTaskCanceled() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        String taskId = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.2-t2v-plus")
                .prompt("waves").size("832*480").build()).getOutput().getTaskId();

        vs.cancel(taskId, KEY);

        assertThat(vs.fetch(taskId, KEY).getOutput().getTaskStatus()).isEqualTo("CANCELED");
    }

    @Test
    void cancelOfARunningTaskIsRefused() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        String taskId = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.6-t2v")
                .prompt("waves").build()).getOutput().getTaskId();
        clock.advance(Duration.ofSeconds(10));

        ApiException refused = catchThrowableOfType(ApiException.class, () -> vs.cancel(taskId, KEY));

        assertThat(refused.getStatus().getStatusCode()).isEqualTo(400);
        assertThat(refused.getStatus().getCode()).isEqualTo("UnsupportedOperation");
    }

    @Test
    void aSizeTheModelDoesNotOfferIsRefusedWithInvalidParameter() {
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new VideoSynthesis().asyncCall(
                VideoSynthesisParam.builder().apiKey(KEY).model("wan2.6-t2v").prompt("x").size("832*480").build()));

        assertThat(refused.getStatus().getStatusCode()).isEqualTo(400);
        assertThat(refused.getStatus().getCode()).isEqualTo("InvalidParameter");
        assertThat(refused.getStatus().getMessage()).contains("832*480");
        assertThat(simulator.stats().submissions()).isZero();
    }

    @Test
    void aWrongKeyIsRefusedWithInvalidApiKey() {
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new VideoSynthesis().asyncCall(
                VideoSynthesisParam.builder().apiKey("sk-wrong").model("wan2.6-t2v").prompt("x").build()));

        assertThat(refused.getStatus().getStatusCode()).isEqualTo(401);
        assertThat(refused.getStatus().getCode()).isEqualTo("InvalidApiKey");
    }

    @Test
    void outputModerationFailsTheTaskWithHttp200() throws Exception {
        simulator.faults().moderationFailureRate(1.0);
        VideoSynthesis vs = new VideoSynthesis();
        String taskId = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.6-t2v")
                .prompt("something").build()).getOutput().getTaskId();
        clock.advance(Duration.ofMinutes(5));

        VideoSynthesisResult failed = vs.wait(taskId, KEY);

        assertThat(failed.getOutput().getTaskStatus()).isEqualTo("FAILED");
        assertThat(failed.getOutput().getCode()).isEqualTo("DataInspectionFailed");
        assertThat(failed.getOutput().getVideoUrl()).isNull();
    }

    @Test
    void aTaskOlderThanADayIsUnknownAndItsVideoUrlExpired() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        String taskId = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.6-t2v")
                .prompt("clouds").build()).getOutput().getTaskId();
        clock.advance(Duration.ofMinutes(5));
        String url = vs.fetch(taskId, KEY).getOutput().getVideoUrl();

        clock.advance(Duration.ofHours(24));

        assertThat(vs.fetch(taskId, KEY).getOutput().getTaskStatus()).isEqualTo("UNKNOWN");
        var connection = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        assertThat(connection.getResponseCode()).isEqualTo(403);
        connection.disconnect();
    }
}
