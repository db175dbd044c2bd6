package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wanhybrid.engine.VideoStills;
import dev.wanhybrid.gateway.e2e.support.FfmpegPrograms;
import dev.wanhybrid.generatedclient.ApiClient;
import dev.wanhybrid.generatedclient.ApiException;
import dev.wanhybrid.generatedclient.api.VideosApi;
import dev.wanhybrid.generatedclient.model.CreateVideoRequest;
import dev.wanhybrid.generatedclient.model.CreateVideoRequestRouting;
import dev.wanhybrid.generatedclient.model.ErrorEnvelope;
import dev.wanhybrid.generatedclient.model.VideoObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Java client generated from {@code docs/openapi.json} during the build (the OpenAPI Generator's {@code native}
 * library, into {@code target/generated-client}) drives the demo gateway: create with a typed body, retrieve until
 * done, download the video and its thumbnail, and read a refusal as the documented error envelope. If the document
 * lost a request body, a schema or a parameter, this class would not compile or its calls would fail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:generated-client;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + GeneratedClientIT.KEY,
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=40ms", "gateway.jobs.poll-max=200ms",
    "gateway.cloud.simulator.pending-for=200ms", "gateway.cloud.simulator.running-for=300ms",
})
@ActiveProfiles("demo")
class GeneratedClientIT {

    static final String KEY = "generated-client-demo-key";

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("generated-client");
        registry.add("gateway.storage.local.root", results::toString);
    }

    private VideosApi videos() {
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + KEY));
        client.setReadTimeout(Duration.ofSeconds(30));
        return new VideosApi(client);
    }

    @Test
    void aGeneratedClientCreatesRetrievesAndDownloadsAVideo() throws Exception {
        FfmpegPrograms.assumeAvailable();
        VideosApi api = videos();
        VideoObject created = api.createVideo(new CreateVideoRequest()
                .prompt("a paper boat drifting on a rainy street").seconds("5").size("832x480")
                .routing(new CreateVideoRequestRouting().backend("cloud")));
        assertThat(created.getId()).matches("video_[0-9a-f]{32}");
        assertThat(created.getStatus()).isIn("queued", "in_progress");
        assertThat(created.getRoute()).isNotNull();
        assertThat(created.getRoute().getReason()).isNotBlank();

        VideoObject done = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.retrieveVideo(created.getId()), video -> !video.getStatus().equals("queued")
                        && !video.getStatus().equals("in_progress"));
        assertThat(done.getStatus()).isEqualTo("completed");
        assertThat(done.getProgress()).isEqualTo(100);
        assertThat(done.getBackend()).isEqualTo("cloud");

        File video = api.downloadVideoContent(done.getId(), null, null);
        VideoStills.Probe probe = VideoStills.probe(video.toPath());
        assertThat(probe.codec()).isEqualTo("h264");
        assertThat(probe.frames()).isGreaterThan(1);
        assertThat(probe.width()).isPositive();

        File thumbnail = api.downloadVideoContent(done.getId(), "thumbnail", null);
        VideoStills.Probe still = VideoStills.probe(thumbnail.toPath());
        assertThat(still.codec()).isEqualTo("webp");
        assertThat(still.frames()).isEqualTo(1);
        assertThat(still.width() + "x" + still.height()).isEqualTo(probe.width() + "x" + probe.height());
        Files.deleteIfExists(video.toPath());
        Files.deleteIfExists(thumbnail.toPath());
    }

    @Test
    void aRefusalReadsAsTheDocumentedErrorEnvelope() {
        VideosApi api = videos();
        assertThatThrownBy(() -> api.createVideo(new CreateVideoRequest().prompt("a boat").seconds("0")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    ErrorEnvelope envelope = read(e.getResponseBody());
                    assertThat(envelope.getError().getParam()).isEqualTo("seconds");
                    assertThat(envelope.getError().getType()).isEqualTo("invalid_request_error");
                });
        assertThatThrownBy(() -> api.retrieveVideo("video_" + "0".repeat(32)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(read(e.getResponseBody()).getError().getMessage()).isNotBlank();
                });
    }

    private static ErrorEnvelope read(String body) {
        try {
            return new ObjectMapper().readValue(body, ErrorEnvelope.class);
        } catch (IOException e) {
            throw new AssertionError("not the error envelope: " + body, e);
        }
    }
}
