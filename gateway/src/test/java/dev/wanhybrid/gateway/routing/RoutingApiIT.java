package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole gateway with real routing: the demo profile's DashScope simulator as the cloud, a test engine as the
 * local GPU. Forcing a breaker open changes where {@code /v1/videos} sends work, and the video object's route,
 * the Prometheus scrape and health all say so.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:routing-api;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + RoutingApiIT.KEY,
    // sha256("routing-admin"): health details and the scrape are the admin's.
    "gateway.admin.token-sha256=" + RoutingApiIT.ADMIN_SHA256,
    // The test engine below stands in for the demo model, so this test needs no libtorch.
    "gateway.local.demo-engine=false",
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.cloud.simulator.pending-for=100ms", "gateway.cloud.simulator.running-for=200ms",
})
@ActiveProfiles("demo")
class RoutingApiIT {

    static final String KEY = "sk-routing-api-test";
    static final String ADMIN = "routing-admin";
    static final String ADMIN_SHA256 = "73572d998aad46df315460db1eb7d6a0b54e25930c8bc39ef3ed696547b8456b";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SILENT_FAST = """
            {"prompt": "a cat surfing", "size": "832x480", "seconds": "5", "routing": {"objective": "latency"}}""";

    @TestConfiguration
    static class LocalGpu {
        @Bean
        TestVideoEngine engine() {
            return TestVideoEngine.free("wan2.1-t2v-1.3b");
        }
    }

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws IOException {
        Path results = Files.createTempDirectory("routing-api-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    CircuitBreakerRegistry breakers;

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeBreakers() {
        breakers.circuitBreaker("cloud").transitionToClosedState();
        breakers.circuitBreaker("local").transitionToClosedState();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/videos"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path, boolean authenticated) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authenticated) {
            b.header("Authorization", "Bearer " + KEY);
        } else if (path.startsWith("/actuator/")) {
            b.header("Authorization", "Bearer " + ADMIN);
        }
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private String scrape() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The shipped breakers (gateway-routing.yaml): a tripped breaker is tried again after 5 s, each failed trial
     * doubles the next open time up to the cap (a minute for the cloud, 30 s for the local engine), and once a
     * trial succeeds the next trip starts again at 5 s. A copy of each shipped configuration on a clock the test
     * moves, so nothing waits.
     */
    @Test
    void aTrippedBreakerIsTriedAfterFiveSecondsAndWaitsTwiceAsLongAfterEachFailedTrial() {
        assertOpenTimes("cloud", 5, 10, 20, 40, 60, 60);
        assertOpenTimes("local", 5, 10, 20, 30, 30);
    }

    private void assertOpenTimes(String name, long... seconds) {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-12-06T00:00:00Z"));
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        CircuitBreakerConfig shipped = breakers.circuitBreaker(name).getCircuitBreakerConfig();
        CircuitBreaker breaker = CircuitBreaker.of(name + "-copy", CircuitBreakerConfig.from(shipped).clock(clock)
                .automaticTransitionFromOpenToHalfOpenEnabled(false).build());
        int trialCalls = shipped.getPermittedNumberOfCallsInHalfOpenState();
        breaker.transitionToOpenState();
        for (long open : seconds) {
            now.set(now.get().plusMillis(open * 1000 - 100));
            assertThat(breaker.tryAcquirePermission()).as("%s still open %d ms after opening", name, open * 1000 - 100)
                    .isFalse();
            now.set(now.get().plusMillis(101)); // (tried once the wait has passed, not at its last instant)
            for (int call = 0; call < trialCalls; call++) {
                assertThat(breaker.tryAcquirePermission()).as("%s tried %d s after opening", name, open).isTrue();
                breaker.onError(0, TimeUnit.MILLISECONDS, new IOException("still down"));
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        }
        // A trial that succeeds closes it, and the next trip is tried after 5 s again.
        now.set(now.get().plusSeconds(seconds[seconds.length - 1]).plusMillis(1));
        for (int call = 0; call < trialCalls; call++) {
            assertThat(breaker.tryAcquirePermission()).isTrue();
            breaker.onSuccess(0, TimeUnit.MILLISECONDS);
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.transitionToOpenState();
        now.set(now.get().plusMillis(4_900));
        assertThat(breaker.tryAcquirePermission()).as("%s still open 4.9 s after a new trip", name).isFalse();
        now.set(now.get().plusMillis(101));
        assertThat(breaker.tryAcquirePermission()).as("%s tried 5 s after a new trip", name).isTrue();
    }

    @Test
    void healthShowsEachBackendsReadinessAndBreaker() throws Exception {
        JsonNode backends = get("/actuator/health", false).path("components").path("backends").path("components");

        assertThat(backends.path("local").path("status").asString()).isEqualTo("UP");
        assertThat(backends.path("local").path("details").path("detail").asString()).contains("wan2.1-t2v-1.3b");
        assertThat(backends.path("cloud").path("status").asString()).isEqualTo("UP");
        assertThat(backends.path("cloud").path("details").path("breaker").asString()).isEqualTo("CLOSED");
    }

    @Test
    void forcedOpenCloudBreakerSendsSilentWorkToTheLocalEngine() throws Exception {
        breakers.circuitBreaker("cloud").transitionToForcedOpenState();

        HttpResponse<String> created = post(SILENT_FAST);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode video = JSON.readTree(created.body());
        JsonNode route = video.path("route");
        assertThat(route.path("backend").asString()).isEqualTo("local");
        assertThat(route.path("model").asString()).isEqualTo("wan2.1-t2v-1.3b");
        assertThat(route.path("reason").asString()).isEqualTo("cloud_unavailable");
        assertThat(route.path("rejected").toString()).contains("breaker_open").contains("FORCED_OPEN");
        String id = video.path("id").asString();
        await().atMost(30, TimeUnit.SECONDS).until(() -> get("/v1/videos/" + id, true).path("status").asString()
                .equals("completed"));

        String metrics = scrape();
        assertThat(metrics).containsPattern(
                "gateway_routing_fallbacks_total\\{from=\"cloud\",reason=\"cloud_unavailable\",to=\"local\"} [1-9]");
        assertThat(metrics).containsPattern(
                "resilience4j_circuitbreaker_state\\{name=\"cloud\",state=\"forced_open\"} 1.0");
        JsonNode cloud = get("/actuator/health", false).path("components").path("backends").path("components")
                .path("cloud");
        assertThat(cloud.path("details").path("breaker").asString()).isEqualTo("FORCED_OPEN");
    }

    @Test
    void soundWhileTheCloudIsForcedOpenIsA503InTheOpenAiEnvelope() throws Exception {
        breakers.circuitBreaker("cloud").transitionToForcedOpenState();

        HttpResponse<String> response = post("""
                {"prompt": "a cat singing", "size": "1280x720", "seconds": "5", "audio": true}""");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo("backend_unavailable");
        assertThat(error.path("message").asString()).contains("breaker");
    }

    @Test
    void forcedOpenLocalBreakerSendsSilentWorkToTheCloud() throws Exception {
        breakers.circuitBreaker("local").transitionToForcedOpenState();

        HttpResponse<String> created = post("""
                {"prompt": "a cat surfing", "size": "832x480", "seconds": "5"}""");

        JsonNode route = JSON.readTree(created.body()).path("route");
        assertThat(route.path("backend").asString()).isEqualTo("cloud");
        assertThat(route.path("reason").asString()).isEqualTo("local_unavailable");
        assertThat(scrape()).containsPattern(
                "gateway_routing_fallbacks_total\\{from=\"local\",reason=\"local_unavailable\",to=\"cloud\"} [1-9]");
    }

    @Test
    void sizeNoModelProducesIsA400NamingSize() throws Exception {
        HttpResponse<String> response = post("""
                {"prompt": "a cat", "size": "1000x1000", "seconds": "5"}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("param").asString()).isEqualTo("size");
    }
}
