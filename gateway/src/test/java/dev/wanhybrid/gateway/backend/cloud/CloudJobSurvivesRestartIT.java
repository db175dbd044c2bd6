package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.jobs.JobStatus;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway that stops while its cloud task runs, and starts again on the same database: the new process resumes
 * polling the persisted task id and copies the video, and DashScope saw exactly one submission.
 */
class CloudJobSurvivesRestartIT {

    private static final String KEY = "sk-restart-test";

    @Test
    void aRestartedGatewayResumesPollingTheSameTaskWithoutResubmitting() throws Exception {
        Path results = Files.createTempDirectory("restart-results");
        try (DashScopeSimulator simulator = DashScopeSimulator.builder().apiKey("sk-dashscope")
                .pendingFor(Duration.ofMillis(200)).runningFor(Duration.ofSeconds(8)).build().start()) {
            String jobId;
            try (ConfigurableApplicationContext first = start(simulator, results)) {
                jobId = submit(first);
                await().atMost(Duration.ofSeconds(30)).until(() -> simulator.stats().submissions() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> first.getBean(JobStore.class)
                        .findVisible("restart", jobId).orElseThrow().taskId() != null);
            }
            assertThat(simulator.stats().submissions()).isEqualTo(1);

            try (ConfigurableApplicationContext second = start(simulator, results)) {
                JobStore store = second.getBean(JobStore.class);
                await().atMost(Duration.ofSeconds(60)).until(() -> store.findVisible("restart", jobId).orElseThrow()
                        .status().isTerminal());
                var job = store.findVisible("restart", jobId).orElseThrow();
                assertThat(job.status()).as("%s %s", job.errorCode(), job.errorMessage())
                        .isEqualTo(JobStatus.COMPLETED);
                assertThat(job.resultSize()).isPositive();
            }
            assertThat(simulator.stats().submissions()).as("resumed, not resubmitted").isEqualTo(1);
        }
    }

    private static ConfigurableApplicationContext start(DashScopeSimulator simulator, Path results) {
        // Command-line arguments, so they win over every configuration file.
        return new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:cloud-restart;DB_CLOSE_DELAY=-1",
                "--gateway.storage.local.root=" + results,
                "--gateway.jobs.tick=50ms", "--gateway.jobs.poll-min=100ms", "--gateway.jobs.poll-max=300ms",
                "--gateway.jobs.instance-id=restart-test",
                "--gateway.cloud.api-key=sk-dashscope",
                "--gateway.cloud.base-url=" + simulator.baseUrl(),
                "--gateway.tenants[0].id=restart",
                "--gateway.tenants[0].api-key-sha256=" + dev.wanhybrid.gateway.tenant.TenantDirectory.sha256Hex(KEY),
                "--gateway.tenants[0].rate-limit.limit=1000");
    }

    private static String submit(ConfigurableApplicationContext context) throws Exception {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/services/aigc/video-generation/video-synthesis"))
                .header("Authorization", "Bearer " + KEY).header("X-DashScope-Async", "enable")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"wan2.6-t2v\",\"input\":{\"prompt\":\"survive a restart\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(reply.body()).path("output").path("task_id").asString();
    }
}
