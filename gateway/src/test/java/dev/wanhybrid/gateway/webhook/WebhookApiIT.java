package dev.wanhybrid.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job created through {@code /v1/videos} with a {@code webhook_url} reaches a loopback receiver (admitted by the
 * SSRF allow-list, by host and port) as signed Standard Webhooks messages, one per status change.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:webhook-api;DB_CLOSE_DELAY=-1",
    "gateway.cloud.enabled=false",
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.webhooks.poll-interval=100ms",
    "ACME_WEBHOOK_SECRET=" + WebhookApiIT.SECRET,
})
class WebhookApiIT {

    static final String KEY = "sk-acme-webhooks";
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Map<String, String>> RECEIVED = new CopyOnWriteArrayList<>();
    private static final HttpServer RECEIVER;

    static {
        try {
            RECEIVER = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        RECEIVER.createContext("/hooks", ex -> {
            Map<String, String> message = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> message.put(k.toLowerCase(), v.getFirst()));
            message.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            RECEIVED.add(message);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        RECEIVER.start();
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
    }

    @TestConfiguration
    static class LocalGpu {
        @Bean
        TestVideoEngine engine() {
            return TestVideoEngine.free("wan2.1-t2v-1.3b");
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("webhook-api-results");
        registry.add("gateway.storage.local.root", results::toString);
        // A list binds from one property source only, so the whole tenant entry is registered here.
        registry.add("gateway.tenants[0].id", () -> "acme");
        registry.add("gateway.tenants[0].api-key-sha256", () -> TenantDirectory.sha256Hex(KEY));
        registry.add("gateway.tenants[0].webhook-secret-ref", () -> "ACME_WEBHOOK_SECRET");
        registry.add("gateway.net.allow-hosts[0]", () -> "127.0.0.1:" + RECEIVER.getAddress().getPort());
    }

    @LocalServerPort
    int port;

    @Test
    void eachStatusChangeArrivesOnceAndSigned() throws Exception {
        String hook = "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hooks";
        HttpResponse<String> created = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/videos"))
                        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"prompt": "a cat surfing", "size": "832x480", "seconds": "5", "webhook_url": "%s"}"""
                                .formatted(hook)))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = JSON.readTree(created.body()).path("id").asString();

        await().atMost(30, TimeUnit.SECONDS).until(() -> RECEIVED.stream()
                .anyMatch(m -> m.get("body").contains("\"video.completed\"")));
        Thread.sleep(500); // would-be duplicates get a chance to arrive

        assertThat(RECEIVED).extracting(m -> m.get("webhook-id")).doesNotHaveDuplicates();
        for (Map<String, String> m : RECEIVED) {
            assertThat(m.get("webhook-signature")).isEqualTo(WebhookSigner.sign(WebhookSigner.key(SECRET),
                    m.get("webhook-id"), Long.parseLong(m.get("webhook-timestamp")),
                    m.get("body").getBytes(StandardCharsets.UTF_8)));
            JsonNode body = JSON.readTree(m.get("body"));
            assertThat(body.path("data").path("id").asString()).isEqualTo(id);
        }
        assertThat(RECEIVED).extracting(m -> JSON.readTree(m.get("body")).path("type").asString())
                .contains("video.completed")
                .doesNotContain("video.progress");
    }
}
