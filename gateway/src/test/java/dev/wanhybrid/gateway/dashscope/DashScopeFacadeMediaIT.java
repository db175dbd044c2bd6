package dev.wanhybrid.gateway.dashscope;

import static org.assertj.core.api.Assertions.assertThat;

import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesis;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisParam;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The new {@code input.media[]} protocol through the gateway's DashScope facade: the official SDK and raw HTTP
 * create, poll and download Wan 2.7 and wan3.0 videos with sound and without (job, router, dispatcher, cloud
 * backend, in-process simulator); malformed media is refused at the edge and costs the cloud no call.
 * wan3.0-video has no published price, so this test gives it one, as an operator would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:dashscope-facade-media;DB_CLOSE_DELAY=-1",
    "gateway.catalog.extra-models[0].id=wan3.0-video",
    "gateway.catalog.extra-models[0].backend=cloud",
    "gateway.catalog.extra-models[0].fps=30",
    "gateway.catalog.extra-models[0].quality=premium",
    "gateway.catalog.extra-models[0].default-size=1280x720",
    "gateway.catalog.extra-models[0].tiers.480p.usd-per-second=0.05",
    "gateway.catalog.extra-models[0].tiers.480p.service-time-per-second=24s",
    "gateway.catalog.extra-models[0].tiers.720p.usd-per-second=0.10",
    "gateway.catalog.extra-models[0].tiers.720p.service-time-per-second=36s",
})
class DashScopeFacadeMediaIT extends FacadeOnSimulator {

    /**
     * The input URL policy resolves every host; this machine has no DNS, so the one host the media URLs name
     * resolves to a public address here. Nothing connects to it: DashScope (the simulator) is handed the URLs.
     */
    @org.springframework.boot.test.context.TestConfiguration
    static class PublicMediaHost {
        @org.springframework.context.annotation.Bean
        @org.springframework.context.annotation.Primary
        dev.wanhybrid.gateway.net.HostResolver publicMediaHostResolver() {
            return host -> host.equals("media.example.com")
                    ? List.of(java.net.InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 215, 14}))
                    : dev.wanhybrid.gateway.net.HostResolver.SYSTEM.resolve(host);
        }
    }

    private static final String IMG = "https://media.example.com/hero.png";
    private static final String VID = "https://media.example.com/actor.mp4";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theSdkCastsReferencesWithWan27AndGetsAVideoWithSound() throws Exception {
        long before = simulator.submissions("wan2.7-r2v");
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan2.7-r2v")
                .prompt("Video 1 hands Image 1 a lantern")
                .media(List.of(
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.REFERENCE_VIDEO).url(VID)
                                .build(),
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.REFERENCE_IMAGE).url(IMG)
                                .build()))
                .resolution("720P").ratio("16:9").duration(6).build());

        VideoSynthesisResult done = vs.wait(created.getOutput().getTaskId(), KEY);

        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getUsage().getDuration()).isEqualTo(6f);
        assertThat(hasSound(download(done.getOutput().getVideoUrl()))).isTrue();
        assertThat(simulator.submissions("wan2.7-r2v") - before).as("one cloud task").isEqualTo(1);
        // The reference video's seconds: reserved at its longest (wan2.7-r2v's 15 s) on top of the 6 s output at
        // $0.10/s, billed as DashScope reported them (the simulator's 5 s), and reported by the task answer.
        String id = created.getOutput().getTaskId();
        assertThat(await(id).path("usage").path("input_video_duration").asInt()).isEqualTo(5);
        var entry = org.springframework.jdbc.core.simple.JdbcClient.create(dataSource)
                .sql("SELECT estimate_usd, actual_usd, billed_seconds FROM spend_entries WHERE job_id = ?").param(id)
                .query().singleRow();
        assertThat((java.math.BigDecimal) entry.get("ESTIMATE_USD")).isEqualByComparingTo("2.10");
        assertThat((java.math.BigDecimal) entry.get("BILLED_SECONDS")).isEqualByComparingTo("11");
        assertThat((java.math.BigDecimal) entry.get("ACTUAL_USD")).isEqualByComparingTo("1.10");
    }

    @org.springframework.beans.factory.annotation.Autowired
    private javax.sql.DataSource dataSource;

    @Test
    void theSdkMakesASilentFirstAndLastFrameVideoWithWan30() throws Exception {
        VideoSynthesis vs = new VideoSynthesis();
        VideoSynthesisResult created = vs.asyncCall(VideoSynthesisParam.builder().apiKey(KEY).model("wan3.0-video")
                .prompt("the door swings open")
                .media(List.of(
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.FIRST_FRAME).url(IMG).build(),
                        VideoSynthesisParam.Media.builder().type(VideoSynthesis.MediaType.LAST_FRAME).url(IMG).build()))
                .resolution("480P").duration(4).audio(false).build());

        VideoSynthesisResult done = vs.wait(created.getOutput().getTaskId(), KEY);

        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(hasSound(download(done.getOutput().getVideoUrl()))).as("audio: false").isFalse();
        assertThat(simulator.submissions("wan3.0-video")).isEqualTo(1);
    }

    @Test
    void rawHttpMakesAWan27TextToVideoWithSoundAndAWan30EditWithout() throws Exception {
        String t2v = create("""
                {"model": "wan2.7-t2v", "input": {"prompt": "rain on a tin roof"},
                 "parameters": {"resolution": "720P", "ratio": "9:16", "duration": 3}}""");
        String edit = create("""
                {"model": "wan3.0-video", "input": {"prompt": "make it claymation",
                  "media": [{"type": "video", "url": "%s"}]},
                 "parameters": {"resolution": "720P", "duration": 2, "audio": false}}""".formatted(VID));

        JsonNode t2vDone = await(t2v);
        JsonNode editDone = await(edit);

        assertThat(t2vDone.path("output").path("model").asString()).isEqualTo("wan2.7-t2v");
        assertThat(hasSound(download(t2vDone.path("output").path("video_url").asString()))).isTrue();
        assertThat(editDone.path("output").path("model").asString()).isEqualTo("wan3.0-video");
        assertThat(hasSound(download(editDone.path("output").path("video_url").asString()))).isFalse();
        assertThat(t2vDone.path("usage").path("input_video_duration").asInt()).isZero();
        assertThat(editDone.path("usage").path("input_video_duration").asInt()).as("the edited video's seconds")
                .isEqualTo(5);
    }

    @Test
    void malformedMediaIsRefusedAtTheEdgeBeforeAnyCloudCall() throws Exception {
        long attempts = simulator.stats().createAttempts();

        assertRefused("""
                {"model": "wan2.7-r2v", "input": {"prompt": "p", "media": [{"type": "actor", "url": "%s"}]}}"""
                .formatted(VID), "InvalidParameter", "input.media[0].type");
        assertRefused("""
                {"model": "wan2.7-r2v", "input": {"prompt": "p", "media": "%s"}}""".formatted(VID),
                "InvalidParameter", "input.media");
        assertRefused("""
                {"model": "wan2.7-r2v", "input": {"prompt": "p", "media": [{"type": "reference_image",
                  "url": "file:///etc/passwd"}]}}""", "InvalidURL", "input.media[0].url");
        assertRefused("""
                {"model": "wan2.7-videoedit", "input": {"prompt": "p", "media": [{"type": "video", "url": "%s"},
                  {"type": "first_frame", "url": "%s"}]}}""".formatted(VID, IMG), "InvalidParameter",
                "first_frame cannot be combined with edit media");
        assertRefused("""
                {"model": "wan2.7-i2v", "input": {"media": [{"type": "reference_image", "url": "%s"}]}}"""
                .formatted(IMG), "InvalidParameter", "wan2.7-i2v does not do r2v");
        assertRefused("""
                {"model": "wan2.6-t2v", "input": {"prompt": "p", "media": [{"type": "first_frame", "url": "%s"}]}}"""
                .formatted(IMG), "InvalidParameter", "input.media is read by the new-protocol cloud models only");
        assertRefused("""
                {"model": "wan3.0-video", "input": {"prompt": "p"}, "parameters": {"duration": -1}}""",
                "InvalidParameter", "-1 (the model chooses)");

        assertThat(simulator.stats().createAttempts()).as("no call for a refused request").isEqualTo(attempts);
    }

    private void assertRefused(String body, String code, String mention) throws Exception {
        HttpResponse<String> reply = post(body);
        assertThat(reply.statusCode()).as(body).isEqualTo(400);
        JsonNode error = JSON.readTree(reply.body());
        assertThat(error.path("code").asString()).as(reply.body()).isEqualTo(code);
        assertThat(error.path("message").asString()).as(reply.body()).contains(mention);
    }

    private String create(String body) throws Exception {
        HttpResponse<String> reply = post(body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body()).path("output").path("task_id").asString();
    }

    /** Polls the task as a DashScope client does, until it leaves PENDING/RUNNING. */
    private JsonNode await(String taskId) throws Exception {
        for (int i = 0; i < 600; i++) {
            HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/api/v1/tasks/" + taskId)).header("Authorization", "Bearer " + KEY)
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode task = JSON.readTree(reply.body());
            String status = task.path("output").path("task_status").asString();
            if (!status.equals("PENDING") && !status.equals("RUNNING")) {
                assertThat(status).as(reply.body()).isEqualTo("SUCCEEDED");
                return task;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("task " + taskId + " did not finish");
    }

    private HttpResponse<String> post(String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/services/aigc/video-generation/video-synthesis"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .header("X-DashScope-Async", "enable")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private byte[] download(String url) throws Exception {
        HttpResponse<byte[]> video = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(new String(video.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        return video.body();
    }

    /** An MP4 with sound has an {@code mp4a} sample entry (the simulator's AAC track). */
    private static boolean hasSound(byte[] mp4) {
        return new String(mp4, StandardCharsets.ISO_8859_1).contains("mp4a");
    }
}
