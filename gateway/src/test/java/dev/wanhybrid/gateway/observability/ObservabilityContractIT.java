package dev.wanhybrid.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The other half of docs/metrics.md: every metric the Grafana dashboard and the alert rules in helm/wan-gateway
 * read is exported by a running gateway's {@code /actuator/prometheus}. The gateway runs as its demo profile
 * does (the DashScope simulator behind the real cloud backend, a demo tenant), with budget caps, and makes one
 * video through the real API before the scrape.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:observability-contract;DB_CLOSE_DELAY=-1",
    // The chart serves the actuator on its own port; so does this test.
    "management.server.port=0",
    // sha256("observability-admin")
    "gateway.admin.token-sha256=147df2633774ef9767c226dfcd64ca3ae23d7510dd80a377d5bab30802d06a50",
    "gateway.demo.api-key=" + ObservabilityContractIT.KEY,
    "gateway.cloud.simulator.pending-for=200ms",
    "gateway.cloud.simulator.running-for=500ms",
    "gateway.jobs.tick=50ms",
    "gateway.jobs.poll-min=50ms",
    "gateway.jobs.poll-max=200ms",
    "gateway.budget.caps[0].scope=global",
    "gateway.budget.caps[0].period=day",
    "gateway.budget.caps[0].limit-usd=100",
    "gateway.budget.caps[1].scope=tenant",
    "gateway.budget.caps[1].tenant=demo",
    "gateway.budget.caps[1].period=month",
    "gateway.budget.caps[1].limit-usd=500",
})
@ActiveProfiles("demo")
class ObservabilityContractIT {

    static final String KEY = "sk-test-observability";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Path CHART = Path.of("..", "helm", "wan-gateway");
    private static final Pattern METRIC = Pattern.compile("\\b(?:gateway|resilience4j)_[a-z0-9_]+\\b");

    @LocalManagementPort
    int managementPort;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("observability-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    @Test
    void everyMetricTheDashboardAndAlertsReadIsExported() throws Exception {
        Set<String> used = new TreeSet<>();
        used.addAll(metricNames(Files.readString(CHART.resolve("dashboards/wan-gateway.json"))));
        used.addAll(metricNames(Files.readString(CHART.resolve("rules/alerts.yaml"))));
        assertThat(used).as("metric names found in the dashboard and rules").hasSizeGreaterThan(10);

        String status = makeOneVideo();
        assertThat(status).as("the video made before the scrape").isEqualTo("completed");

        Set<String> exported = exportedSeries(scrape());

        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertThat(missing).as("used by helm/wan-gateway but absent from /actuator/prometheus (exported: %s)",
                exported.stream().filter(n -> METRIC.matcher(n).matches()).toList()).isEmpty();
    }

    /** Submits one video as the demo tenant and follows it to a final status (bounded: 120 s). */
    private String makeOneVideo() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(api("/v1/videos"))
                            .header("Authorization", "Bearer " + KEY)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"prompt\": \"a red fox in snow\", \"seconds\": \"5\", \"size\": \"832x480\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            String id = JSON.readTree(created.body()).path("id").asString();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
            while (true) {
                HttpResponse<String> polled = http.send(HttpRequest.newBuilder(api("/v1/videos/" + id))
                        .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode video = JSON.readTree(polled.body());
                String status = video.path("status").asString();
                if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")
                        || System.nanoTime() > deadline) {
                    return status + (status.equals("completed") ? "" : ": " + polled.body());
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void theManagementPortLeavesTheScrapeOpenAndKeepsEverythingElseForTheAdmin() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(management("/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).has("components")).as(health.body()).isFalse();
            HttpResponse<String> adminHealth = http.send(HttpRequest.newBuilder(management("/actuator/health"))
                    .header("Authorization", "Bearer observability-admin").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(adminHealth.body()).path("components").path("backends").isObject())
                    .as(adminHealth.body()).isTrue();
            HttpResponse<String> env = http.send(HttpRequest.newBuilder(management("/actuator/env")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(env.statusCode()).isEqualTo(401);
            HttpResponse<String> loggers = http.send(HttpRequest.newBuilder(management("/actuator/loggers"))
                    .header("Authorization", "Bearer observability-admin").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(loggers.statusCode()).isEqualTo(200);
        }
        assertThat(scrape()).contains("gateway_");
    }

    private URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private String scrape() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }
    }

    /** Series names of the Prometheus text format: the part of each sample line before its labels or value. */
    static Set<String> exportedSeries(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
