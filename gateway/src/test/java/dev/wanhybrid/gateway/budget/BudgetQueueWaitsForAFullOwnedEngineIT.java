package dev.wanhybrid.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.backend.RemoteLoad;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.e2e.support.Http;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A spent budget whose policy is {@code queue} while an owned engine is genuinely busy, with no circuit breaker
 * opened or forced: the demo's owned remote engine (the in-process vLLM-Omni server, four jobs at most, about 10 s
 * a clip here) is filled with four admitted clips, so the router finds it full and the cloud over the cap; the next
 * request waits, and runs on that engine once a clip ahead of it has finished there.
 *
 * <p>Not the in-JVM engine: the demo's in-JVM models make only 1-second 256x160 clips and no cloud model makes
 * those (the cloud's shortest clip is 2 s, its smallest size 480p), so a request that engine could take is never
 * refused for the budget, and {@code queue} never applies to it; a full in-JVM queue answers 503 {@code queue_full}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:budget-queue-full-engine;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + BudgetQueueWaitsForAFullOwnedEngineIT.KEY,
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.local.steps=2", "gateway.budget.headroom-refresh=0s",
    // 8 steps x 81 frames x 0.005 s: about 3 s a clip, so the engine stays full while the test looks.
    "gateway.demo.remote-engine.seconds-per-step-frame=0.005",
    "gateway.budget.queue.recheck=200ms", "gateway.budget.queue.poll=100ms",
    "gateway.admin.token-sha256=16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01",
})
@ActiveProfiles({"demo", "demo-remote", "owned-fleet"})
class BudgetQueueWaitsForAFullOwnedEngineIT {

    static final String KEY = "sk-demo-budget-queue-full";
    private static final String REMOTE = "demo-remote";
    /** The cloud makes it (wan2.2-t2v-plus, $0.10) and so does the owned remote engine. */
    private static final String CLIP = "{\"prompt\":\"a lighthouse\",\"size\":\"832x480\",\"seconds\":\"5\"}";
    private static final String ON_THE_ENGINE = "{\"prompt\":\"a lighthouse %d\",\"size\":\"832x480\","
            + "\"seconds\":\"5\",\"model\":\"wan2.2-ti2v-5b-demo-remote\"}";

    @LocalServerPort
    int port;

    @Autowired
    ResilientBackendRegistry backends;

    @Autowired
    CircuitBreakerRegistry breakers;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        Path results = Files.createTempDirectory("budget-queue-full-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    @Test
    void aQueuedRequestRunsOnTheOwnedEngineOnceItsFullQueueHasRoom() {
        Http demo = new Http(port, KEY);
        assertThat(BudgetAdmin.putDemoDayCap(port, "0", "queue").status()).isEqualTo(200);
        RemoteLoad.Source engine = (RemoteLoad.Source) backends.decorated(REMOTE).orElseThrow().delegate();
        int capacity = engine.load().queue().capacity();
        List<String> ahead = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            Http.Reply filling = demo.postJson("/v1/videos", ON_THE_ENGINE.formatted(i));
            assertThat(filling.status()).as(filling.body()).isEqualTo(200);
            assertThat(filling.json().at("/route/backend").asString()).isEqualTo(REMOTE);
            ahead.add(filling.json().path("id").asString());
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> engine.load().queue().isFull());

        Http.Reply created = demo.postJson("/v1/videos", CLIP);

        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode waiting = created.json();
        assertThat(waiting.at("/route/reason").asString()).as(waiting.toString()).isEqualTo("budget_queued");
        assertThat(rejectedFor(waiting, REMOTE)).as(waiting.toString()).containsOnly("queue_full");
        assertThat(rejectedFor(waiting, "cloud")).as(waiting.toString()).contains("budget");
        String id = waiting.path("id").asString();
        // Rounds run every 200 ms; while the engine is still full (about 3 s a clip), they leave the job waiting.
        JsonNode meanwhile = demo.get("/v1/videos/" + id).json();
        if (engine.load().queue().isFull()) {
            assertThat(meanwhile.at("/route/reason").asString()).as(meanwhile.toString()).isEqualTo("budget_queued");
            assertThat(meanwhile.path("budget_wait").isObject()).as(meanwhile.toString()).isTrue();
        }

        JsonNode done = FinishedVideo.of(demo, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("backend").asString()).isEqualTo(REMOTE);
        JsonNode left = done.at("/route/fallbacks").valueStream()
                .filter(f -> f.path("reason").asString().equals("budget_queue")).findFirst().orElseThrow();
        assertThat(left.path("detail").asString()).contains("owned engine (" + REMOTE + ") had room");
        for (String before : ahead) {
            JsonNode clip = FinishedVideo.of(demo, before);
            assertThat(clip.path("status").asString()).as(clip.toString()).isEqualTo("completed");
        }
        assertThat(breakers.getAllCircuitBreakers()).as("no breaker took part")
                .allSatisfy(b -> assertThat(b.getState()).as(b.getName()).isEqualTo(CircuitBreaker.State.CLOSED));
        // Its cost is recorded against the spent cap (owned engines are never refused under queue), once.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM spend_entries WHERE job_id = ? AND state = 'settled'").params(id)
                .query(Long.class).single()).isEqualTo(1);
    }

    private static List<String> rejectedFor(JsonNode video, String backend) {
        return video.at("/route/rejected").valueStream().filter(r -> r.path("backend").asString().equals(backend))
                .map(r -> r.path("reason").asString()).toList();
    }

}
