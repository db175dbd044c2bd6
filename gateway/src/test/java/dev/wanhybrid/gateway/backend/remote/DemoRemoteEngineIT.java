package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The {@code demo,demo-remote} profiles start a fake vLLM-Omni server in-process as {@code demo-remote}, next to the
 * DashScope simulator and the local engine: one request's route names all three backends, and its video comes from
 * the remote engine through the gateway.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:remote-demo;DB_CLOSE_DELAY=-1",
    "gateway.storage.local.root=${java.io.tmpdir}/remote-demo-results",
    "gateway.demo.api-key=" + DemoRemoteEngineIT.KEY,
    // The local demo model is ruled out by size before its health matters, so this test needs no libtorch.
    "gateway.local.demo-engine=false",
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=100ms", "gateway.jobs.poll-max=300ms",
})
@ActiveProfiles({"demo", "demo-remote"})
class DemoRemoteEngineIT {

    static final String KEY = "sk-remote-demo-test";

    @Autowired
    FakeVllmOmniServer server;

    @LocalServerPort
    int port;

    @Test
    void aRouteNamesThreeBackendsAndTheRemoteEngineMakesTheVideo() {
        Http http = new Http(port, KEY);
        JsonNode created = RemoteGateway.create(http,
                "{\"prompt\":\"a fox in the snow\",\"size\":\"832x480\",\"seconds\":\"5\",\"audio\":true}");
        JsonNode route = created.path("route");
        assertThat(route.path("backend").asString()).isEqualTo("demo-remote");
        assertThat(route.path("reason").asString()).isEqualTo("audio_requires_remote");
        Set<String> named = new HashSet<>();
        route.path("candidates").forEach(c -> named.add(c.path("backend").asString()));
        route.path("rejected").forEach(r -> named.add(r.path("backend").asString()));
        assertThat(named).contains("demo-remote", "local", "cloud");

        String id = created.path("id").asString();
        await().atMost(Duration.ofSeconds(40)).until(() -> RemoteGateway.finished(http, id));
        assertThat(RemoteGateway.video(http, id).path("status").asString()).isEqualTo("completed");
        assertThat(server.creations()).hasSize(1);
        assertThat(http.getBytes("/v1/videos/" + id + "/content", null).body()).isNotEmpty();
    }
}
