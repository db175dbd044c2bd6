package dev.wanhybrid.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.wanhybrid.gateway.tenant.TenantDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Progress people can watch, and events that follow the transition: the demo profile (the file-free Wan model on
 * the CPU, the DashScope simulator on loopback) with the SSE and webhook polls set to an hour, so every event that
 * arrives was woken by its own commit. The transition-to-delivery latencies are written to
 * {@code target/benchmarks/event-delivery.md}, never asserted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:progress-delivery;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.local.steps=6",
    "gateway.cloud.simulator.pending-for=300ms", "gateway.cloud.simulator.running-for=4s",
    "gateway.webhooks.poll-interval=1h", "gateway.events.poll-interval=1h",
    "gateway.events.progress-interval=100ms",
    "ACME_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
})
@ActiveProfiles("demo")
class ProgressAndDeliveryIT {

    static final String KEY = "sk-acme-progress";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Arrival> ARRIVALS = new CopyOnWriteArrayList<>();
    private static final HttpServer RECEIVER;

    record Arrival(Instant at, JsonNode body) {}

    static {
        try {
            RECEIVER = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        RECEIVER.createContext("/hooks", ex -> {
            Instant at = Instant.now();
            ARRIVALS.add(new Arrival(at, JSON.readTree(ex.getRequestBody().readAllBytes())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        RECEIVER.start();
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("progress-delivery-results");
        registry.add("gateway.storage.local.root", results::toString);
        registry.add("gateway.tenants[0].id", () -> "acme");
        registry.add("gateway.tenants[0].api-key-sha256", () -> TenantDirectory.sha256Hex(KEY));
        registry.add("gateway.tenants[0].webhook-secret-ref", () -> "ACME_WEBHOOK_SECRET");
        registry.add("gateway.net.allow-hosts[0]", () -> "127.0.0.1:" + RECEIVER.getAddress().getPort());
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private String create(String json) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/videos")).header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return JSON.readTree(created.body()).path("id").asString();
    }

    /** Reads the job's SSE stream to its end: each event's type and video object. */
    private List<JsonNode> stream(String id) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/videos/" + id + "/events")).header("Authorization", "Bearer " + KEY)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data:")) {
                    events.add(JSON.readTree(line.substring(5).trim()));
                }
            }
        }
        return events;
    }

    private static List<Integer> progressOf(List<JsonNode> events) {
        return events.stream().map(e -> e.path("progress").asInt()).toList();
    }

    @Test
    void aLocalDemoJobsProgressMovesStepByStepAndNeverBack() throws Exception {
        String id = create("""
                {"prompt": "a red kite over the sea", "size": "256x160", "seconds": "1", "seed": 7,
                 "routing": {"backend": "local"}}""");
        List<JsonNode> events = stream(id);
        assertThat(events.getLast().path("status").asString()).isEqualTo("completed");
        List<Integer> progress = progressOf(events);
        assertThat(progress).isSorted();
        assertThat(progress.stream().distinct().count()).as("progress values %s", progress)
                .isGreaterThanOrEqualTo(5);
        assertThat(events).allSatisfy(e -> assertThat(e.path("progress_estimated").asBoolean()).isFalse());
    }

    @Test
    void aSimulatedCloudJobsProgressIsAnEstimateThatMovesAndSaysSo() throws Exception {
        String id = create("""
                {"prompt": "a paper boat on a pond", "model": "wan2.5-t2v-preview", "size": "832x480",
                 "seconds": "5"}""");
        List<JsonNode> events = stream(id);
        assertThat(events.getLast().path("status").asString()).isEqualTo("completed");
        List<JsonNode> running = events.stream().filter(e -> e.path("status").asString().equals("in_progress"))
                .toList();
        assertThat(progressOf(events)).isSorted();
        assertThat(progressOf(running).stream().distinct().count()).as("progress values %s", progressOf(events))
                .isGreaterThanOrEqualTo(3);
        assertThat(running).allSatisfy(e -> {
            assertThat(e.path("progress_estimated").asBoolean()).isTrue();
            assertThat(e.path("progress").asInt()).isLessThan(100);
        });
        assertThat(events.getLast().path("progress_estimated").asBoolean()).isFalse();
    }

    @Test
    void webhooksFollowTheTransitionWithTheOutboxPollSetToAnHour() throws Exception {
        String hook = "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hooks";
        String id = create("""
                {"prompt": "a lighthouse at dusk", "model": "wan2.5-t2v-preview", "size": "832x480", "seconds": "5",
                 "webhook_url": "%s"}""".formatted(hook));
        await().atMost(2, TimeUnit.MINUTES).until(() -> ARRIVALS.stream()
                .anyMatch(a -> a.body().path("data").path("id").asString().equals(id)
                        && a.body().path("type").asString().equals("video.completed")));
        List<Arrival> mine = ARRIVALS.stream().filter(a -> a.body().path("data").path("id").asString().equals(id))
                .toList();
        assertThat(mine).extracting(a -> a.body().path("type").asString())
                .startsWith("video.queued").contains("video.in_progress").endsWith("video.completed")
                .doesNotContain("video.updated");
        writeLatencies(mine);
    }

    /** Transition (the event's timestamp, written in the same transaction) to arrival at the receiver. */
    private static void writeLatencies(List<Arrival> arrivals) throws IOException {
        StringBuilder table = new StringBuilder("""
                # Event delivery: transition to webhook arrival

                Measured by `ProgressAndDeliveryIT` (demo profile, H2, loopback receiver) with the webhook outbox's
                and the SSE poll intervals set to one hour, so each delivery was woken by its own commit. Latency is
                the receiver's clock at arrival minus the event's `timestamp` (set in the transition's transaction).

                | event | latency (ms) |
                |---|---|
                """);
        List<Long> millis = new ArrayList<>();
        for (Arrival a : arrivals) {
            long ms = Duration.between(Instant.parse(a.body().path("timestamp").asString()), a.at()).toMillis();
            millis.add(ms);
            table.append("| ").append(a.body().path("type").asString()).append(" | ").append(ms).append(" |\n");
        }
        millis.sort(null);
        table.append(String.format(Locale.ROOT, "%nmedian %d ms, max %d ms over %d deliveries.%n",
                millis.get(millis.size() / 2), millis.getLast(), millis.size()));
        Path out = Path.of("target", "benchmarks", "event-delivery.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);
    }
}
