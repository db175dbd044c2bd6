package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A remote vLLM-Omni server that fails under a running job: one that dies (the job moves to the route's next
 * candidate, the cloud, or fails with {@code backend_unavailable} when it has none, within the engine's
 * {@code unreachable-after} plus a few polls, never hanging) and one that restarts and forgets its jobs (the job is
 * submitted again to the same endpoint, at no cost); and a cancelled job, whose cancel is vLLM-Omni's
 * {@code DELETE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteEngineFailuresIT {

    /** unreachable-after (3 s) plus retries, breaker and dispatch: far below it, a hang would show. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private FakeVllmOmniServer server;
    private DashScopeSimulator cloud;
    private ConfigurableApplicationContext gateway;
    private Http http;
    private int creationsBefore;

    @BeforeAll
    void start() throws Exception {
        server = RemoteGateway.fake();
        cloud = DashScopeSimulator.builder().apiKey("sk-dashscope").pendingFor(Duration.ofMillis(100))
                .runningFor(Duration.ofMillis(500)).build().start();
        List<String> args = new ArrayList<>(RemoteGateway.engine(0, "gpu-a", server.baseUrl(), "wan-5b-a"));
        args.add("--gateway.cloud.api-key=sk-dashscope");
        args.add("--gateway.cloud.base-url=" + cloud.baseUrl());
        gateway = RemoteGateway.start("remote-failures", RemoteGateway.results(), args);
        http = RemoteGateway.http(gateway);
    }

    @AfterAll
    void stop() {
        gateway.close();
        cloud.close();
        server.close();
    }

    /** Each scenario starts from a live server with no jobs and a closed breaker. */
    @BeforeEach
    void liveServer() {
        server.restart();
        creationsBefore = server.creations().size();
        gateway.getBean(ResilientBackendRegistry.class).decorated("gpu-a").orElseThrow().circuitBreaker().reset();
    }

    /** Creations the server received in this scenario. */
    private int created() {
        return server.creations().size() - creationsBefore;
    }

    @Test
    void aServerThatDiesMidJobIsLeftAndTheJobFailsOverToTheCloud() {
        long cloudBefore = cloud.stats().submissions();
        // The cloud is a costlier fallback than the job's ceiling (1.5 x the accepted estimate) unless the caller
        // allows it with max_cost_usd, exactly as for the in-JVM engine.
        JsonNode created = RemoteGateway.create(http, """
                {"prompt":"fail over","seconds":"5","size":"832x480","routing":{"max_cost_usd":1}}""");
        String id = created.path("id").asString();
        JsonNode candidates = created.path("route").path("candidates");
        assertThat(candidates.get(0).path("backend").asString()).isEqualTo("gpu-a");
        assertThat(candidates.findValuesAsString("backend")).as(created.toString()).contains("cloud");
        await().atMost(Duration.ofSeconds(15)).until(() -> created() == 1
                && RemoteGateway.video(http, id).path("status").asString().equals("in_progress"));

        server.stop();

        await().atMost(BOUND).until(() -> RemoteGateway.finished(http, id));
        JsonNode done = RemoteGateway.video(http, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("backend").asString()).isEqualTo("cloud");
        JsonNode fallback = done.path("route").path("fallbacks").get(0);
        assertThat(fallback.path("from_backend").asString()).isEqualTo("gpu-a");
        assertThat(fallback.path("to_backend").asString()).isEqualTo("cloud");
        assertThat(fallback.path("reason").asString()).isEqualTo("backend_unreachable");
        assertThat(cloud.stats().submissions() - cloudBefore).as("one cloud task").isEqualTo(1);
    }

    @Test
    void withNoOtherCandidateTheJobFailsCleanlyWithAClearCode() {
        JsonNode created = RemoteGateway.create(http, "{\"prompt\":\"nowhere to go\",\"model\":\"wan-5b-a\"}");
        String id = created.path("id").asString();
        assertThat(created.path("route").path("candidates")).hasSize(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> created() == 1
                && RemoteGateway.video(http, id).path("status").asString().equals("in_progress"));

        server.stop();

        await().atMost(BOUND).until(() -> RemoteGateway.finished(http, id));
        JsonNode done = RemoteGateway.video(http, id);
        assertThat(done.path("status").asString()).isEqualTo("failed");
        assertThat(done.path("error").path("code").asString()).isEqualTo("backend_unavailable");
        assertThat(done.path("error").path("message").asString()).contains("gpu-a").contains("stopped answering");
        assertThat(done.path("cost_usd").isNull() || done.path("cost_usd").asString().matches("0(\\.0*)?"))
                .as("nothing billed for a failed job: %s", done.path("cost_usd")).isTrue();
    }

    @Test
    void aServerThatRestartsAndForgetsItsJobsGetsTheJobAgain() {
        JsonNode created = RemoteGateway.create(http, "{\"prompt\":\"forgotten\",\"model\":\"wan-5b-a\"}");
        String id = created.path("id").asString();
        await().atMost(Duration.ofSeconds(15)).until(() -> created() == 1
                && RemoteGateway.video(http, id).path("status").asString().equals("in_progress"));

        server.restart();

        await().atMost(BOUND).until(() -> RemoteGateway.finished(http, id));
        JsonNode done = RemoteGateway.video(http, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("backend").asString()).as("the same endpoint").isEqualTo("gpu-a");
        assertThat(created()).as("submitted again after the server forgot it").isEqualTo(2);
        assertThat(http.getBytes("/v1/videos/" + id + "/content", null).body()).isNotEmpty();
    }

    @Test
    void cancellingARemoteJobDeletesItOnTheServer() {
        int deletionsBefore = server.deletions();
        String id = RemoteGateway.create(http, "{\"prompt\":\"changed my mind\",\"model\":\"wan-5b-a\"}")
                .path("id").asString();
        await().atMost(Duration.ofSeconds(15)).until(() -> created() == 1
                && RemoteGateway.video(http, id).path("status").asString().equals("in_progress"));

        Http.Reply cancel = http.post("/v1/videos/" + id + "/cancel", "application/json", "{}".getBytes());
        assertThat(cancel.status()).as(cancel.body()).isLessThan(300);

        await().atMost(BOUND).until(() -> RemoteGateway.finished(http, id));
        assertThat(RemoteGateway.video(http, id).path("status").asString()).isEqualTo("cancelled");
        assertThat(server.deletions() - deletionsBefore).as("DELETE /v1/videos/{id} at the server").isEqualTo(1);
        assertThat(server.unfinished()).as("the generation was stopped").isZero();
    }
}
