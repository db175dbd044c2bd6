package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.e2e.support.Http;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The demo profile's Wan 2.2 model on the real local engine: an uploaded {@code input_reference} runs image-to-video
 * locally and gives a playable MP4, and a request naming a LoRA from {@code gateway.local.loras} is pinned to the
 * local engine, says so in its route, and gives a different video than the same request without it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:demo-local-wan22;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + Wan22DemoLocalEngineIT.KEY,
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    // Two sampling steps: the path is what is under test, not the picture.
    "gateway.local.steps=2",
})
@ActiveProfiles("demo")
class Wan22DemoLocalEngineIT {

    static final String KEY = "sk-demo-local-wan22-test";

    @DynamicPropertySource
    static void storageAndLoras(DynamicPropertyRegistry registry) throws IOException, URISyntaxException {
        Path results = Files.createTempDirectory("demo-local-wan22-results");
        registry.add("gateway.storage.local.root", results::toString);
        // The wan22-tiny fixture LoRA: shaped for the demo DiT (width 64, FFN 128, two blocks).
        Path lora = Path.of(Wan22DemoLocalEngineIT.class.getResource("/fixtures/lora/wan22-tiny-lora.safetensors")
                .toURI());
        registry.add("gateway.local.loras.fixture-style", lora::toString);
    }

    @LocalServerPort
    int port;

    private Http http;

    @BeforeEach
    void client() {
        http = new Http(port, KEY);
    }

    @Test
    void uploadedImageRunsImageToVideoOnTheLocalEngineAndGivesAPlayableMp4() throws Exception {
        byte[] png;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/api/frame.png")) {
            png = Objects.requireNonNull(in).readAllBytes();
        }
        Http.Multipart form = new Http.Multipart().field("prompt", "the fox starts running").field("seconds", "1")
                .field("size", "256x160").field("seed", "3").file("input_reference", "frame.png", "image/png", png);
        Http.Reply reply = http.post("/v1/videos", form.contentType(), form.build());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode route = reply.json().path("route");
        assertThat(route.path("backend").asString()).isEqualTo("local");
        assertThat(route.path("model").asString()).isEqualTo("wan2.2-ti2v-demo");
        byte[] mp4 = completedContent(reply.json().path("id").asString());
        assertThat(new String(mp4, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(mp4.length).isGreaterThan(1000);
    }

    @Test
    void requestNamingALoraIsPinnedLocallyAndItsVideoDiffersFromTheSameRequestWithoutIt() throws Exception {
        String body = """
                {"prompt": "a paper boat on a pond", "size": "256x160", "seconds": "1", "seed": 5%s}""";
        Http.Reply withLora = http.postJson("/v1/videos", body.formatted(", \"lora\": \"fixture-style\""));
        assertThat(withLora.status()).as(withLora.body()).isEqualTo(200);
        JsonNode route = withLora.json().path("route");
        assertThat(route.path("backend").asString()).isEqualTo("local");
        assertThat(route.path("model").asString()).isEqualTo("wan2.2-ti2v-demo");
        assertThat(route.path("reason").asString()).isEqualTo("lora_requires_local");
        assertThat(route.toString()).contains("lora_requires_local", "does not apply LoRAs");

        Http.Reply plain = http.postJson("/v1/videos",
                body.formatted(", \"model\": \"wan2.2-ti2v-demo\""));
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);

        byte[] styled = completedContent(withLora.json().path("id").asString());
        byte[] base = completedContent(plain.json().path("id").asString());
        assertThat(new String(styled, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(styled).isNotEqualTo(base);
    }

    @Test
    void unknownLoraIsABadRequestNamingTheLoraParameter() {
        Http.Reply reply = http.postJson("/v1/videos", """
                {"prompt": "a paper boat", "lora": "no-such-style"}""");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().path("error").path("param").asString()).isEqualTo("lora");
        assertThat(reply.json().path("error").path("code").asString()).isEqualTo("unknown_lora");
    }

    private byte[] completedContent(String id) {
        await().atMost(5, TimeUnit.MINUTES).pollInterval(1, TimeUnit.SECONDS).until(() -> {
            JsonNode video = http.get("/v1/videos/" + id).json();
            assertThat(video.path("status").asString()).as(video.toString()).isNotEqualTo("failed");
            return video.path("status").asString().equals("completed");
        });
        return http.getBytes("/v1/videos/" + id + "/content", null).body();
    }
}
