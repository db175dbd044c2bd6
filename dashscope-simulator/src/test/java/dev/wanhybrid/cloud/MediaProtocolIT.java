package dev.wanhybrid.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesis;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisParam;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisResult;
import com.alibaba.dashscope.exception.ApiException;
import com.alibaba.dashscope.utils.Constants;
import dev.wanhybrid.cloud.VideoRequest.Media;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The new {@code input.media[]} protocol (Wan 2.7, wan3.0-video) end to end on the simulator, from the official SDK
 * and from the library's client: create, poll, download, with sound and without; malformed media and retired models
 * are refused, by the client before any call.
 */
class MediaProtocolIT {

    private static final String KEY = "sk-media-protocol-key";
    private static final String IMG = "https://example.com/first.png";
    private static final String VID = "https://example.com/actor.mp4";

    private MutableClock clock;
    private DashScopeSimulator simulator;
    private DashScopeClient client;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-12-05T03:00:00Z"));
        simulator = DashScopeSimulator.builder().apiKey(KEY).clock(clock).inputVideoSeconds(4)
                .pendingFor(Duration.ofSeconds(5)).runningFor(Duration.ofSeconds(60)).build().start();
        client = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl())
                .clock(java.time.Clock.fixed(clock.instant(), ZoneOffset.UTC)).build();
        Constants.baseHttpApiUrl = simulator.baseUrl().toString();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void theSdkMakesASilentFirstAndLastFrameVideoWithWan27() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.7-i2v")
                .prompt("the door opens")
                .media(List.of(
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.FIRST_FRAME).url(IMG).build(),
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.LAST_FRAME).url(IMG).build()))
                .resolution("720P").duration(8).audio(false).build());
        String taskId = created.getOutput().getTaskId();
        assertThat(vs.fetch(taskId, KEY).getOutput().getTaskStatus()).isEqualTo("PENDING");

        clock.advance(Duration.ofMinutes(2));
        VideoSynthesisResult done = vs.wait(taskId, KEY);

        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getUsage().getDuration()).isEqualTo(8f);
        assertThat(done.getUsage().getSR()).isEqualTo("720");
        assertThat(download(done.getOutput().getVideoUrl())).as("silent output").isFalse();
        assertThat(simulator.submissions("wan2.7-i2v")).isEqualTo(1);
    }

    @Test
    void theSdkCastsAReferenceVideoWithWan30AndSoundBillingTheInputSeconds() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan3.0-video")
                .prompt("Video 1 waves at the camera")
                .media(List.of(VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.REFERENCE_VIDEO)
                        .url(VID).build()))
                .resolution("480P").ratio("16:9").duration(6).audio(true).build());
        clock.advance(Duration.ofMinutes(2));

        VideoSynthesisResult done = vs.wait(created.getOutput().getTaskId(), KEY);

        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getUsage().getOutputVideoDuration()).isEqualTo(6f);
        assertThat(done.getUsage().getInputVideoDuration()).as("one reference video of 4 s").isEqualTo(4f);
        assertThat(download(done.getOutput().getVideoUrl())).as("output with sound").isTrue();
    }

    @Test
    void theSdkSeesAMalformedMediaListRefusedWithTheItemNamed() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> new VideoSynthesis().asyncCall(
                VideoSynthesisParam.builder().apiKey(KEY).model("wan2.7-r2v").prompt("p")
                        .media(List.of(VideoSynthesisParam.Media.builder().type("first_image").url(IMG).build()))
                        .build()));
        assertThat(e.getStatus().getStatusCode()).isEqualTo(400);
        assertThat(e.getStatus().getCode()).isEqualTo("InvalidParameter");
        assertThat(e.getStatus().getMessage()).contains("unknown media type 'first_image'");
        assertThat(simulator.stats().submissions()).isZero();
    }

    @Test
    void theClientMakesWan27AndWan30PrimeVideosWithAndWithoutSound() throws Exception {
        CreatedTask t2v = client.create(VideoRequest.builder("wan2.7-t2v").prompt("a lighthouse at dusk")
                .resolution("1080P").ratio("9:16").duration(12).build());
        CreatedTask edit = client.create(VideoRequest.builder("wan3.0-video-prime").prompt("make it claymation")
                .media(List.of(Media.of(MediaType.VIDEO, VID))).resolution("720P").audio(false).build());
        CreatedTask smart = client.create(VideoRequest.builder("wan3.0-video").prompt("a storm rolls in")
                .duration(-1).audio(true).build());
        clock.advance(Duration.ofMinutes(2));

        TaskView t2vDone = client.query(t2v.taskId());
        assertThat(t2vDone.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(t2vDone.usage().billedSeconds()).isEqualByComparingTo("12");
        assertThat(t2vDone.usage().audio()).isTrue();
        assertThat(t2vDone.usage().raw()).containsEntry("ratio", "9:16");
        assertThat(hasSound(client.openVideo(t2vDone.videoUrl()))).isTrue();

        TaskView editDone = client.query(edit.taskId());
        assertThat(editDone.usage().billedSeconds()).as("keeps the input's 4 s").isEqualByComparingTo("4");
        assertThat(editDone.usage().totalBilledSeconds()).as("and bills them as input too").isEqualByComparingTo("8");
        assertThat(editDone.usage().audio()).isFalse();
        assertThat(hasSound(client.openVideo(editDone.videoUrl()))).isFalse();

        TaskView smartDone = client.query(smart.taskId());
        assertThat(smartDone.usage().billedSeconds()).as("the simulator's choice for -1: the default")
                .isEqualByComparingTo("5");
    }

    @Test
    void malformedMediaIsRefusedByTheSimulatorAndByTheClientBeforeAnyCall() throws Exception {
        String body = """
                {"model": "wan2.7-i2v", "input": {"prompt": "p",
                  "media": [{"type": "first_frame", "url": "%s"}, {"type": "first_clip", "url": "%s"}]},
                 "parameters": {"resolution": "720P"}}""".formatted(IMG, VID);
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/services/aigc/video-generation/video-synthesis"))
                .header("Authorization", "Bearer " + KEY).header("X-DashScope-Async", "enable")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(400);
        JsonNode error = dev.wanhybrid.cloud.internal.Wire.JSON.readTree(raw.body());
        assertThat(error.path("code").asString()).isEqualTo("InvalidParameter");
        assertThat(error.path("message").asString()).contains("first_frame cannot be combined with continuation media");

        HttpResponse<String> notAList = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/services/aigc/video-generation/video-synthesis"))
                .header("Authorization", "Bearer " + KEY).header("X-DashScope-Async", "enable")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"wan2.7-i2v\",\"input\":{\"media\":\"x\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notAList.statusCode()).isEqualTo(400);
        assertThat(notAList.body()).contains("input.media");
        long attempts = simulator.stats().createAttempts();

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> client.create(
                VideoRequest.builder("wan2.7-i2v").media(List.of(new Media("first_frame", "ftp://example.com/a.png")))
                        .build()));
        assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(e.field()).isEqualTo("input.media[0].url");
        assertThat(simulator.stats().createAttempts()).as("no call for a request the catalog refuses")
                .isEqualTo(attempts);
        assertThat(simulator.stats().submissions()).isZero();
    }

    @Test
    void aRetiredModelCostsNoCallAndTheServiceRefusesItToo() throws Exception {
        ModelCatalog retiring = catalogWith("wan2.6-t2v", "    retires-on: 2026-12-05\n    successor: wan2.7-t2v\n");
        DashScopeClient dated = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl())
                .catalog(retiring).clock(java.time.Clock.fixed(clock.instant(), ZoneOffset.UTC)).build();

        DashScopeException e = catchThrowableOfType(DashScopeException.class, () -> dated.create(
                VideoRequest.builder("wan2.6-t2v").prompt("p").size("1280*720").build()));

        assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_INPUT);
        assertThat(e.field()).isEqualTo("model");
        assertThat(e.getMessage()).contains("retired on 2026-12-05", "successor wan2.7-t2v");
        assertThat(simulator.stats().createAttempts()).isZero();

        try (DashScopeSimulator service = DashScopeSimulator.builder().apiKey(KEY).clock(clock).catalog(retiring)
                .build().start()) {
            DashScopeClient undated = DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(service.baseUrl())
                    .clock(java.time.Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC)).build();
            DashScopeException refused = catchThrowableOfType(DashScopeException.class, () -> undated.create(
                    VideoRequest.builder("wan2.6-t2v").prompt("p").size("1280*720").build()));
            assertThat(refused.httpStatus()).as("a client with a stale date is refused by the service").isEqualTo(400);
            assertThat(service.stats().submissions()).isZero();
        }
    }

    private static ModelCatalog catalogWith(String model, String lines) throws Exception {
        String yaml;
        try (InputStream in = ModelCatalog.class.getResourceAsStream(ModelCatalog.RESOURCE)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String marker = "  - id: " + model + "\n";
        int at = yaml.indexOf(marker) + marker.length();
        return ModelCatalog.load(new ByteArrayInputStream((yaml.substring(0, at) + lines + yaml.substring(at))
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Downloads a result and says whether it carries a sound track. */
    private static boolean download(String url) throws Exception {
        try (InputStream in = URI.create(url).toURL().openStream()) {
            return hasSound(in);
        }
    }

    /** An MP4 with sound has an {@code mp4a} sample entry (the simulator's AAC track). */
    private static boolean hasSound(InputStream video) throws Exception {
        try (video) {
            byte[] bytes = video.readAllBytes();
            assertThat(new String(bytes, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
            return new String(bytes, StandardCharsets.ISO_8859_1).contains("mp4a");
        }
    }
}
