package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * What a request asks of a remote engine beyond text-to-video, through the whole gateway against two fake vLLM-Omni
 * servers: a LoRA routes to the engine whose model has it and arrives there as {@code lora}; an unknown LoRA is a
 * 400 on {@code lora}; {@code routing.backend} pins an engine by its configured name (an unknown name is a 400 on
 * that field); and image-to-video sends the image's bytes as the {@code input_reference} file part, for an upload
 * and for a URL (served here on loopback).
 */
class RemoteEngineRequestsIT {

    private static FakeVllmOmniServer grain;
    private static FakeVllmOmniServer plain;
    private static HttpServer images;
    private static byte[] servedJpeg;
    private static ConfigurableApplicationContext gateway;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        grain = RemoteGateway.fake();
        plain = RemoteGateway.fake();
        servedJpeg = jpeg();
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/frame.jpg", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/jpeg");
            ex.sendResponseHeaders(200, servedJpeg.length);
            try (var out = ex.getResponseBody()) {
                out.write(servedJpeg);
            }
        });
        images.start();
        List<String> args = new ArrayList<>(RemoteGateway.engine(0, "gpu-a", grain.baseUrl(), "wan-5b-grain",
                "t2v,i2v", List.of("film-grain", "watercolor")));
        args.addAll(RemoteGateway.engine(1, "gpu-b", plain.baseUrl(), "wan-5b-plain", "t2v", List.of()));
        args.add("--gateway.net.allow-hosts[0]=127.0.0.1:" + images.getAddress().getPort());
        gateway = RemoteGateway.start("remote-requests", RemoteGateway.results(), args);
        http = RemoteGateway.http(gateway);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (images != null) {
            images.stop(0);
        }
        grain.close();
        plain.close();
    }

    /** A real JPEG (not the upload's PNG), so the URL's bytes can be told from the upload's. */
    private static byte[] jpeg() throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "jpg", out)).isTrue();
        return out.toByteArray();
    }

    private static int creationOn(FakeVllmOmniServer server, String prompt) {
        await().atMost(Duration.ofSeconds(20)).until(() -> server.creations().stream()
                .anyMatch(c -> prompt.equals(c.get("prompt"))));
        List<Map<String, String>> all = server.creations();
        for (int i = 0; i < all.size(); i++) {
            if (prompt.equals(all.get(i).get("prompt"))) {
                return i;
            }
        }
        throw new AssertionError(prompt);
    }

    private static void completes(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> RemoteGateway.finished(http, id));
        JsonNode done = RemoteGateway.video(http, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
    }

    @Test
    void aLoraRoutesToTheEngineWhoseModelHasItAndArrivesThereAsLora() {
        JsonNode created = RemoteGateway.create(http, """
                {"prompt":"grainy harbour at dawn","size":"832x480","seconds":"1","lora":"film-grain"}""");
        JsonNode route = created.path("route");
        assertThat(route.path("backend").asString()).as(route.toString()).isEqualTo("gpu-a");
        assertThat(route.path("model").asString()).isEqualTo("wan-5b-grain");
        assertThat(route.path("reason").asString()).isEqualTo("lora_requires_remote");

        int at = creationOn(grain, "grainy harbour at dawn");
        assertThat(grain.creations().get(at)).containsEntry("lora", "{\"name\":\"film-grain\"}");
        completes(created.path("id").asString());
    }

    @Test
    void aLoraNoModelHasIsABadRequestNamingLora() {
        Http.Reply reply = http.postJson("/v1/videos", """
                {"prompt":"x","lora":"oil-paint"}""");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("param").asString()).isEqualTo("lora");
        assertThat(error.path("code").asString()).isEqualTo("unknown_lora");
        assertThat(error.path("message").asString()).contains("film-grain", "watercolor");
    }

    @Test
    void aLoraPinnedToAnEngineWithoutItIsABadRequestNamingLora() {
        Http.Reply reply = http.postJson("/v1/videos", """
                {"prompt":"x","lora":"watercolor","routing":{"backend":"gpu-b"}}""");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().path("error").path("param").asString()).isEqualTo("lora");
    }

    @Test
    void routingBackendPinsAnEngineByItsNameAndAnUnknownNameIsABadRequest() {
        JsonNode created = RemoteGateway.create(http, """
                {"prompt":"pinned to b","size":"832x480","seconds":"1","routing":{"backend":"gpu-b"}}""");
        JsonNode route = created.path("route");
        assertThat(route.path("backend").asString()).as(route.toString()).isEqualTo("gpu-b");
        assertThat(route.path("reason").asString()).isEqualTo("pinned");
        assertThat(route.path("candidates")).allSatisfy(c -> assertThat(c.path("backend").asString())
                .isEqualTo("gpu-b"));
        assertThat(route.toString()).contains("routing.backend pins gpu-b");
        creationOn(plain, "pinned to b");
        completes(created.path("id").asString());

        Http.Reply unknown = http.postJson("/v1/videos", """
                {"prompt":"x","routing":{"backend":"gpu-z"}}""");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
        JsonNode error = unknown.json().path("error");
        assertThat(error.path("param").asString()).isEqualTo("routing.backend");
        assertThat(error.path("message").asString()).contains("gpu-z", "gpu-a", "gpu-b");
    }

    @Test
    void anUploadedImageArrivesAsTheInputReferenceFile() throws Exception {
        byte[] png;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/api/frame.png")) {
            png = Objects.requireNonNull(in).readAllBytes();
        }
        Http.Multipart form = new Http.Multipart().field("prompt", "the uploaded frame moves").field("seconds", "1")
                .field("size", "832x480").file("input_reference", "frame.png", "image/png", png);
        Http.Reply reply = http.post("/v1/videos", form.contentType(), form.build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("route").path("backend").asString()).isEqualTo("gpu-a");

        int at = creationOn(grain, "the uploaded frame moves");
        assertThat(grain.creationFiles().get(at).get("input_reference")).as("the upload's bytes").isEqualTo(png);
        assertThat(grain.creations().get(at)).doesNotContainKey("image_reference");
        completes(reply.json().path("id").asString());
    }

    @Test
    void anImageUrlIsFetchedByTheGatewayAndArrivesAsTheInputReferenceFile() {
        String url = "http://127.0.0.1:" + images.getAddress().getPort() + "/frame.jpg";
        JsonNode created = RemoteGateway.create(http, """
                {"prompt":"the fetched frame moves","size":"832x480","seconds":"1",
                 "input_reference":{"image_url":"%s"}}""".formatted(url));
        assertThat(created.path("route").path("backend").asString()).isEqualTo("gpu-a");

        int at = creationOn(grain, "the fetched frame moves");
        assertThat(grain.creationFiles().get(at).get("input_reference")).as("the URL's bytes").isEqualTo(servedJpeg);
        assertThat(grain.creations().get(at)).doesNotContainKey("image_reference");
        completes(created.path("id").asString());
    }
}
