package dev.wanhybrid.gateway.budget;

import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.e2e.support.Http;
import java.time.Duration;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The spent-budget ITs' wait for a video to finish: its object once it is completed, failed or cancelled. */
final class FinishedVideo {

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    private FinishedVideo() {}

    static JsonNode of(Http api, String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                TERMINAL.contains(api.get("/v1/videos/" + id).json().path("status").asString()));
        return api.get("/v1/videos/" + id).json();
    }
}
