package dev.wanhybrid.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.backend.cloud.CloudBackend;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The slow cloud, scaled to seconds: DashScope answers after 1.5 s while the gateway's requests time out
 * after 1 s, until it has failed several calls, with 30 cloud jobs in flight (identical and distinct prompts). Every create answer in
 * that window is lost although the task is created and billed. Afterwards every job must complete, bound to exactly
 * one billed task, nothing submitted twice, the ledger equal to the simulator's billing, the cloud breaker closed
 * again, and no permit or reservation left.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:slow-cloud;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=100ms", "gateway.jobs.poll-max=500ms",
    "gateway.jobs.retry-interval=200ms", "gateway.jobs.reconcile-interval=300ms",
    "gateway.cloud.request-timeout=1s", "gateway.cloud.reconcile-after=10s", "gateway.cloud.permit-wait=500ms",
    "gateway.cloud.simulator.pending-for=1s", "gateway.cloud.simulator.running-for=2s",
    "gateway.resilience.probe-interval=300ms",
    // A fixed 2 s (shipped: 5 s doubling to 60 s), so that the breaker closes within the test's bounds.
    "resilience4j.circuitbreaker.instances.cloud.wait-duration-in-open-state=2s",
    "resilience4j.circuitbreaker.instances.cloud.enable-exponential-backoff=false",
})
@ActiveProfiles("demo")
class SlowCloudRecoveryIT {

    private static final int JOBS = 30;
    private static final String MODEL = "wan2.5-t2v-preview";

    @LocalServerPort
    int port;

    @Autowired
    DashScopeSimulator simulator;

    @Autowired
    JobStore jobs;

    @Autowired
    SpendReports reports;

    @Autowired
    ResilientBackendRegistry backends;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestBackends.registerTenantsAndResults(registry, "slow-cloud");
    }

    @Test
    void aCloudSlowerThanTheTimeoutLosesNoJobBillsNothingTwiceAndLeavesTheBreakerClosed() throws Exception {
        Http alpha = new Http(port, TestBackends.ALPHA_KEY);
        CircuitBreaker breaker = backends.decorated("cloud").orElseThrow().circuitBreaker();
        AtomicInteger timeouts = new AtomicInteger();
        breaker.getEventPublisher().onError(e -> timeouts.incrementAndGet());
        simulator.faults().latency(Duration.ofMillis(1500));
        // Sent at once; once the breaker has opened, a creation pinned to the cloud is refused with 503 (nothing is
        // acknowledged, nothing is billed): the promise covers every acknowledged job.
        List<String> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String prompt = i % 3 == 0 ? "a paper boat on a river" : "a lighthouse at dusk " + i;
                replies.add(pool.submit(() -> alpha.postJson("/v1/videos", "{\"prompt\":\"" + prompt
                        + "\",\"model\":\"" + MODEL + "\",\"size\":\"832x480\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}")));
            }
            for (Future<Http.Reply> f : replies) {
                Http.Reply reply = f.get();
                assertThat(reply.status()).as(reply.body()).isIn(200, 503);
                if (reply.status() == 200) {
                    ids.add(reply.json().path("id").asString());
                }
            }
        }
        assertThat(ids).as("acknowledged jobs").hasSizeGreaterThanOrEqualTo(10);
        // The slowness lasts until it has cost several calls (the breaker opens), and a while longer.
        await().atMost(Duration.ofSeconds(90)).until(() -> timeouts.get() >= 5);
        Thread.sleep(2000);
        simulator.faults().latency(Duration.ZERO);

        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> ids.stream()
                .allMatch(id -> "completed".equals(alpha.get("/v1/videos/" + id).json().path("status").asString())));

        Http sim = new Http(simulator.baseUrl().toString(), "sk-demo-simulator");
        Set<String> bound = new HashSet<>();
        BigDecimal settled = BigDecimal.ZERO;
        for (String id : ids) {
            Job job = jobs.find(id).orElseThrow();
            assertThat(bound.add(job.taskId())).as("task %s bound once", job.taskId()).isTrue();
            JsonNode task = query(sim, job.taskId());
            assertThat(task.at("/output/orig_prompt").asString()).isEqualTo(job.spec().prompt());
            settled = settled.add(job.actualUsd());
        }
        assertThat(simulator.stats().submissions()).as("every created task belongs to one job: none twice, no orphan")
                .isEqualTo(ids.size());
        BigDecimal ledger = reports.totals(Instant.EPOCH, Instant.parse("3000-01-01T00:00:00Z"), "alpha").stream()
                .map(t -> t.actualUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(ledger).isEqualByComparingTo(settled).isPositive();
        assertThat(reports.reservedUsd("alpha")).isEqualByComparingTo("0");

        await().atMost(Duration.ofSeconds(20)).until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
        CloudBackend cloud = (CloudBackend) backends.decorated("cloud").orElseThrow().delegate();
        for (String model : simulator.stats().submissionsByModel().keySet()) {
            assertThat(cloud.limits().inFlight(model)).as("permits of %s", model).isZero();
        }
    }

    /** The simulator's own record of a task, waiting out its query rate limit. */
    private static JsonNode query(Http sim, String taskId) {
        Http.Reply[] reply = new Http.Reply[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> (reply[0] = sim.get("/tasks/" + taskId)).status() != 429);
        assertThat(reply[0].status()).as(reply[0].body()).isEqualTo(200);
        return reply[0].json();
    }
}
