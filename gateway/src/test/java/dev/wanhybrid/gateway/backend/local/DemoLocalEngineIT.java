package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo profile end to end on the real local engine: local-engine's file-free demo Wan model runs on the CPU
 * through the local backend's queue, chosen by the router, and the finished MP4 is served by {@code /v1/videos}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:demo-local;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + DemoLocalEngineIT.KEY,
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    // Two sampling steps: the path is what is under test, not the picture.
    "gateway.local.steps=2",
})
@ActiveProfiles("demo")
class DemoLocalEngineIT {

    static final String KEY = "sk-demo-local-test";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("demo-local-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + KEY);
    }

    @Test
    void demoModelRunsLocallyAndItsMp4IsServed() throws Exception {
        HttpResponse<String> created = http.send(request("/v1/videos").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a red kite over the sea", "size": "256x160", "seconds": "1", "seed": 7}"""))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode video = JSON.readTree(created.body());
        assertThat(video.path("route").path("backend").asString()).isEqualTo("local");
        assertThat(video.path("route").path("model").asString()).isEqualTo("wan2.1-t2v-demo");
        assertThat(video.path("route").path("reason").asString()).isEqualTo("cheapest");
        String id = video.path("id").asString();

        await().atMost(5, TimeUnit.MINUTES).pollInterval(1, TimeUnit.SECONDS).until(() -> {
            String status = JSON.readTree(http.send(request("/v1/videos/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("status").asString();
            assertThat(status).isNotEqualTo("failed");
            return status.equals("completed");
        });

        byte[] mp4 = http.send(request("/v1/videos/" + id + "/content").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(new String(mp4, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(mp4.length).isGreaterThan(1000);
    }
}
