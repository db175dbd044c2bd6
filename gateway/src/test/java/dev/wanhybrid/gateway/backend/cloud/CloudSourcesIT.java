package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStatus;
import dev.wanhybrid.gateway.jobs.JobStore;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two DashScope sources at once: the default account on an international simulator (wan2.6-t2v at $0.10/s) and
 * {@code cloud-cn} on a mainland simulator (0.6 CNY/s at 0.14 USD/CNY = $0.084/s). The router buys from the
 * cheaper source; status, content and cancel go to the source that accepted the job, also after a restart; an
 * outage of the cheaper source, its open breaker or its exhausted monthly budget sends work to the other; the
 * ledger records each job under the source that billed it, at that source's price.
 */
class CloudSourcesIT {

    private static final String KEY = "sk-sources-test";
    private static final String TENANT = "sources";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theCheaperSourceServesTheBoundSourceAnswersAndAnOutageMovesWorkToTheOther() throws Exception {
        Path results = Files.createTempDirectory("sources-results");
        try (DashScopeSimulator international = DashScopeSimulator.builder().apiKey("sk-intl")
                .region(Region.INTERNATIONAL).pendingFor(Duration.ofMillis(300)).runningFor(Duration.ofMillis(700))
                .build().start();
                DashScopeSimulator mainland = DashScopeSimulator.builder().apiKey("sk-cn").region(Region.MAINLAND)
                        .pendingFor(Duration.ofSeconds(3)).runningFor(Duration.ofMillis(700)).build().start()) {
            String restartedJob;
            try (ConfigurableApplicationContext gateway = start(international, mainland, results)) {
                // 1. The cheaper source takes the job; status and content come from it; the ledger names it.
                String first = submit(gateway, "the cheaper source");
                Job done = awaitTerminal(gateway, first);
                assertThat(done.status()).as("%s %s", done.errorCode(), done.errorMessage())
                        .isEqualTo(JobStatus.COMPLETED);
                assertThat(done.backend()).isEqualTo("cloud-cn");
                assertThat(mainland.stats().submissions()).isEqualTo(1);
                assertThat(international.stats().submissions()).isZero();
                JsonNode status = get(gateway, "/api/v1/tasks/" + first);
                assertThat(status.path("output").path("task_status").asString()).isEqualTo("SUCCEEDED");
                assertThat(status.path("output").path("backend").asString()).isEqualTo("cloud-cn");
                HttpResponse<byte[]> content = send(gateway, HttpRequest.newBuilder(uri(gateway, "/v1/videos/" + first
                        + "/content")).GET());
                assertThat(content.statusCode()).isEqualTo(200);
                assertThat(content.body().length).isPositive();
                assertThat(mainland.stats().downloads()).isEqualTo(1);
                assertThat(international.stats().downloads()).isZero();
                assertLedger(gateway, first, "cloud-cn", "0.42");

                // 2. Cancel reaches the source that holds the task (still PENDING there).
                String cancelled = submit(gateway, "cancel me");
                await().atMost(Duration.ofSeconds(20)).until(() -> job(gateway, cancelled).taskId() != null);
                // (The DashScope facade cancels only queued jobs; the OpenAI-shape cancel asks the backend.)
                post(gateway, "/v1/videos/" + cancelled + "/cancel");
                assertThat(awaitTerminal(gateway, cancelled).status()).isEqualTo(JobStatus.CANCELLED);
                await().atMost(Duration.ofSeconds(10)).until(() -> mainland.stats().cancellations() == 1);
                assertThat(international.stats().cancellations()).isZero();

                // 3. A job accepted by cloud-cn when the gateway stops...
                restartedJob = submit(gateway, "survive a restart");
                await().atMost(Duration.ofSeconds(20)).until(() -> job(gateway, restartedJob).taskId() != null);
                assertThat(job(gateway, restartedJob).backend()).isEqualTo("cloud-cn");
            }
            long mainlandSubmissions = mainland.stats().submissions();
            try (ConfigurableApplicationContext gateway = start(international, mainland, results)) {
                // ... is polled and copied from cloud-cn by the next process, never resubmitted.
                Job resumed = awaitTerminal(gateway, restartedJob);
                assertThat(resumed.status()).as("%s %s", resumed.errorCode(), resumed.errorMessage())
                        .isEqualTo(JobStatus.COMPLETED);
                assertThat(resumed.backend()).isEqualTo("cloud-cn");
                assertThat(mainland.stats().submissions()).isEqualTo(mainlandSubmissions);
                assertThat(international.stats().submissions()).isZero();
                assertLedger(gateway, restartedJob, "cloud-cn", "0.42");

                // 4. An outage of cloud-cn: the job moves to the default account and is billed there, at its price.
                mainland.faults().outage(Instant.now(), Instant.now().plus(Duration.ofHours(1)));
                String moved = submit(gateway, "the other source");
                Job fallback = awaitTerminal(gateway, moved);
                assertThat(fallback.status()).as("%s %s", fallback.errorCode(), fallback.errorMessage())
                        .isEqualTo(JobStatus.COMPLETED);
                assertThat(fallback.backend()).isEqualTo("cloud");
                assertThat(international.stats().submissions()).isEqualTo(1);
                assertThat(mainland.stats().outageAnswers()).isPositive();
                assertLedger(gateway, moved, "cloud", "0.5");

                // 5. With cloud-cn's breaker open the router sends the job to the default account directly.
                mainland.faults().clear();
                gateway.getBean(CircuitBreakerRegistry.class).circuitBreaker("cloud-cn").transitionToForcedOpenState();
                long outageAnswers = mainland.stats().outageAnswers();
                long mainlandCreates = mainland.stats().createAttempts();
                String routedAround = submit(gateway, "breaker open");
                Job other = awaitTerminal(gateway, routedAround);
                assertThat(other.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(other.backend()).isEqualTo("cloud");
                assertThat(mainland.stats().createAttempts()).isEqualTo(mainlandCreates);
                assertThat(mainland.stats().outageAnswers()).isEqualTo(outageAnswers);
                assertThat(international.stats().submissions()).isEqualTo(2);

                // 6. cloud-cn's monthly budget ($1.30) holds $0.84 settled: a 10-second job ($0.84 there) no longer
                // fits, so even with its breaker closed again the router buys from the default account and says why.
                gateway.getBean(CircuitBreakerRegistry.class).circuitBreaker("cloud-cn").transitionToClosedState();
                String overBudget = submit(gateway, "over the source's budget", 10);
                Job budgeted = awaitTerminal(gateway, overBudget);
                assertThat(budgeted.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(budgeted.backend()).isEqualTo("cloud");
                assertThat(budgeted.route().rejected()).anySatisfy(r -> {
                    assertThat(r.backend()).isEqualTo("cloud-cn");
                    assertThat(r.reason()).isEqualTo("budget");
                });
                assertThat(mainland.stats().createAttempts()).isEqualTo(mainlandCreates);
                assertThat(international.stats().submissions()).isEqualTo(3);
            }
        }
    }

    private static ConfigurableApplicationContext start(DashScopeSimulator international, DashScopeSimulator mainland,
            Path results) {
        return new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:cloud-sources;DB_CLOSE_DELAY=-1",
                "--gateway.storage.local.root=" + results,
                "--gateway.jobs.tick=50ms", "--gateway.jobs.poll-min=100ms", "--gateway.jobs.poll-max=300ms",
                "--gateway.jobs.instance-id=sources-test",
                "--gateway.resilience.initial-backoff=50ms", "--gateway.resilience.max-backoff=200ms",
                "--gateway.cloud.api-key=sk-intl",
                "--gateway.cloud.base-url=" + international.baseUrl(),
                "--gateway.cloud.sources[0].name=cloud-cn",
                "--gateway.cloud.sources[0].region=mainland",
                "--gateway.cloud.sources[0].api-key=sk-cn",
                "--gateway.cloud.sources[0].base-url=" + mainland.baseUrl(),
                "--gateway.cloud.sources[0].usd-per-cny=0.14",
                "--gateway.cloud.sources[0].monthly-budget-usd=1.30",
                "--gateway.tenants[0].id=" + TENANT,
                "--gateway.tenants[0].api-key-sha256=" + dev.wanhybrid.gateway.tenant.TenantDirectory.sha256Hex(KEY),
                "--gateway.tenants[0].rate-limit.limit=1000");
    }

    private static void assertLedger(ConfigurableApplicationContext gateway, String jobId, String backend,
            String actualUsd) {
        Map<String, Object> row = JdbcClient.create(gateway.getBean(DataSource.class))
                .sql("SELECT backend, state, actual_usd FROM spend_entries WHERE job_id = ?").param(jobId)
                .query().singleRow();
        assertThat(row.get("BACKEND")).isEqualTo(backend);
        assertThat(row.get("STATE")).isEqualTo("settled");
        assertThat((BigDecimal) row.get("ACTUAL_USD")).isEqualByComparingTo(actualUsd);
    }

    private static Job job(ConfigurableApplicationContext gateway, String id) {
        return gateway.getBean(JobStore.class).findVisible(TENANT, id).orElseThrow();
    }

    private static Job awaitTerminal(ConfigurableApplicationContext gateway, String id) {
        await().atMost(Duration.ofSeconds(60)).until(() -> job(gateway, id).status().isTerminal());
        return job(gateway, id);
    }

    private static URI uri(ConfigurableApplicationContext gateway, String path) {
        int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<byte[]> send(ConfigurableApplicationContext gateway, HttpRequest.Builder request)
            throws Exception {
        return HttpClient.newHttpClient().send(request.header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode get(ConfigurableApplicationContext gateway, String path) throws Exception {
        HttpResponse<byte[]> reply = send(gateway, HttpRequest.newBuilder(uri(gateway, path)).GET());
        assertThat(reply.statusCode()).as(new String(reply.body())).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static JsonNode post(ConfigurableApplicationContext gateway, String path) throws Exception {
        HttpResponse<byte[]> reply = send(gateway, HttpRequest.newBuilder(uri(gateway, path))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(reply.statusCode()).as(new String(reply.body())).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static String submit(ConfigurableApplicationContext gateway, String prompt) throws Exception {
        return submit(gateway, prompt, 5);
    }

    private static String submit(ConfigurableApplicationContext gateway, String prompt, int seconds)
            throws Exception {
        HttpResponse<byte[]> reply = send(gateway, HttpRequest.newBuilder(uri(gateway,
                "/api/v1/services/aigc/video-generation/video-synthesis"))
                .header("X-DashScope-Async", "enable").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"wan2.6-t2v\",\"input\":{\"prompt\":\""
                        + prompt + "\"},\"parameters\":{\"size\":\"1280*720\",\"duration\":" + seconds + "}}")));
        assertThat(reply.statusCode()).as(new String(reply.body())).isEqualTo(200);
        return JSON.readTree(reply.body()).path("output").path("task_id").asString();
    }
}
