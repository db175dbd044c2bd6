package dev.wanhybrid.gateway.backend.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.demo.FakeVllmOmniServer;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A gateway that stops while a remote job runs, and a new one on the same database: the binding stored with the job
 * (its backend column holds the endpoint's name, its task id the server's video id) sends the new process's polls
 * and download to the same endpoint, which saw exactly one creation. A second endpoint serving the same kind of
 * model is configured too, and gets nothing.
 */
class RemoteJobSurvivesRestartIT {

    @Test
    void aRestartedGatewayResumesTheRemoteJobOnTheSameEndpoint() throws Exception {
        Path results = RemoteGateway.results();
        try (FakeVllmOmniServer a = RemoteGateway.fake(); FakeVllmOmniServer b = RemoteGateway.fake()) {
            List<String> engines = new ArrayList<>(RemoteGateway.engine(0, "gpu-a", a.baseUrl(), "wan-5b-a"));
            engines.addAll(RemoteGateway.engine(1, "gpu-b", b.baseUrl(), "wan-5b-b"));
            String id;
            try (ConfigurableApplicationContext first = RemoteGateway.start("remote-restart", results, engines)) {
                Http http = RemoteGateway.http(first);
                id = RemoteGateway.create(http, "{\"prompt\":\"survive a restart\",\"model\":\"wan-5b-a\"}")
                        .path("id").asString();
                String jobId = id;
                await().atMost(Duration.ofSeconds(15)).until(() -> first.getBean(JobStore.class)
                        .findVisible("remote", jobId).orElseThrow().taskId() != null);
                assertThat(RemoteGateway.video(http, id).path("status").asString()).isNotEqualTo("completed");
            }
            assertThat(a.creations()).hasSize(1);

            try (ConfigurableApplicationContext second = RemoteGateway.start("remote-restart", results, engines)) {
                Http http = RemoteGateway.http(second);
                String jobId = id;
                await().atMost(Duration.ofSeconds(30)).until(() -> RemoteGateway.finished(http, jobId));
                JsonNode done = RemoteGateway.video(http, id);
                assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
                assertThat(done.path("backend").asString()).isEqualTo("gpu-a");
                assertThat(http.getBytes("/v1/videos/" + id + "/content", null).body()).isNotEmpty();
            }
            assertThat(a.creations()).as("resumed, not resubmitted").hasSize(1);
            assertThat(b.creations()).as("the other endpoint never saw it").isEmpty();
        }
    }
}
