package dev.wanhybrid.gateway.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.JdbcSpendLedger;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A run against the DashScope simulator with successes, failures (output moderation) and cancellations: the
 * ledger's total equals what the simulator's own task records bill (usage seconds x the published list price
 * of every SUCCEEDED task), to the cent, and failed and cancelled jobs cost nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:ledger-billing;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=40ms", "gateway.jobs.poll-max=200ms",
    "gateway.jobs.retry-interval=100ms", "gateway.events.poll-interval=50ms",
    "gateway.cloud.simulator.pending-for=3s", "gateway.cloud.simulator.running-for=1s",
})
@ActiveProfiles("demo")
class LedgerMatchesSimulatorBillingIT {

    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    @LocalServerPort
    int port;

    @Autowired
    DashScopeSimulator simulator;

    @Autowired
    JobStore jobs;

    @Autowired
    JdbcSpendLedger ledger;

    @Autowired
    BudgetCaps caps;

    @Autowired
    SpendReports reports;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestBackends.registerTenantsAndResults(registry, "ledger-billing");
    }

    @Test
    void ledgerTotalEqualsWhatTheSimulatorBillsAfterFailuresAndCancellations() throws Exception {
        Http alpha = new Http(port, TestBackends.ALPHA_KEY);
        List<String> ids = new ArrayList<>();

        // Three jobs whose output the simulator's moderation rejects: FAILED tasks, never billed.
        simulator.faults().moderationFailureRate(1.0);
        for (int i = 0; i < 3; i++) {
            ids.add(create(alpha, "{\"prompt\":\"rejected output " + i + "\",\"size\":\"832x480\",\"seconds\":\"5\","
                    + "\"routing\":{\"backend\":\"cloud\"}}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> simulator.stats().submissions() >= 3);
        simulator.faults().moderationFailureRate(0.0);

        // Successes of several models, sizes, lengths and sound.
        String[] bodies = {
            "{\"prompt\":\"a fox\",\"size\":\"832x480\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}",
            "{\"prompt\":\"a heron\",\"size\":\"1280x720\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}",
            "{\"prompt\":\"a choir\",\"size\":\"1280x720\",\"seconds\":\"10\",\"audio\":true,\"routing\":{\"backend\":\"cloud\"}}",
            "{\"prompt\":\"a storm\",\"size\":\"1920x1080\",\"seconds\":\"7\",\"audio\":true,\"routing\":{\"backend\":\"cloud\"}}",
            "{\"prompt\":\"a kite\",\"size\":\"480x832\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}",
        };
        for (String body : bodies) {
            ids.add(create(alpha, body));
        }
        // Three more cancelled at once: before submission or while the task is still PENDING.
        List<String> cancelled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = create(alpha, "{\"prompt\":\"never mind " + i + "\",\"size\":\"1280x720\",\"seconds\":\"5\","
                    + "\"audio\":true,\"routing\":{\"backend\":\"cloud\"}}");
            assertThat(alpha.post("/v1/videos/" + id + "/cancel", null, new byte[0]).status()).isEqualTo(200);
            cancelled.add(id);
            ids.add(id);
        }

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> ids.stream().allMatch(id -> TERMINAL.contains(alpha.get("/v1/videos/" + id).json()
                        .path("status").asString())));

        CloudPriceTable prices = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);
        Http sim = new Http(simulator.baseUrl().toString(), "sk-demo-simulator");
        BigDecimal billed = BigDecimal.ZERO;
        int succeeded = 0;
        int failed = 0;
        for (String id : ids) {
            Job job = jobs.find(id).orElseThrow();
            if (job.taskId() == null) {
                continue; // never reached the provider
            }
            JsonNode task = sim.get("/tasks/" + job.taskId()).json();
            String status = task.at("/output/task_status").asString();
            if ("SUCCEEDED".equals(status)) {
                succeeded++;
                JsonNode usage = task.path("usage");
                int seconds = usage.has("duration") ? usage.get("duration").asInt() : usage.get("video_duration").asInt();
                var size = job.spec().size();
                Money price = prices.costOf(VideoJob.of(job.model(), size.width(), size.height(), seconds,
                        job.spec().audio().wantsAudio()), LocalDate.now(ZoneOffset.UTC)).orElseThrow();
                billed = billed.add(price.amount());
            } else if ("FAILED".equals(status)) {
                failed++;
            }
        }
        BigDecimal ledgerTotal = reports.totals(java.time.Instant.EPOCH, java.time.Instant.parse("3000-01-01T00:00:00Z"),
                "alpha").stream().map(t -> t.actualUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);

        // A cancellation that reaches the provider after its task left PENDING is refused there and the job is
        // billed; either way the ledger must agree with the provider.
        assertThat(succeeded).isBetween(5, 8);
        assertThat(failed).isEqualTo(3);
        assertThat(ledgerTotal.setScale(2, RoundingMode.HALF_EVEN)).isEqualByComparingTo(billed.setScale(2, RoundingMode.HALF_EVEN));
        assertThat(ledgerTotal).isEqualByComparingTo(billed);
        for (String id : cancelled) {
            assertThat(alpha.get("/v1/videos/" + id).json().path("status").asString()).isIn("cancelled", "completed");
        }
        assertThat(reports.reservedUsd("alpha")).isEqualByComparingTo("0");
    }

    @Test
    void twoHundredConcurrentSubmissionsAgainstANearlyExhaustedCapNeverSpendPastIt() throws Exception {
        caps.putCap(new dev.wanhybrid.cost.budget.BudgetCap(dev.wanhybrid.cost.budget.BudgetScope.TENANT, "beta",
                dev.wanhybrid.cost.budget.BudgetPeriod.DAY, Money.usd("10.05")));
        // $8.00 already spent today: 80 billed seconds of wan2.6-t2v at 720p.
        var spent = new dev.wanhybrid.gateway.generation.GenerationSpec("beta", "auto",
                dev.wanhybrid.gateway.generation.TaskKind.T2V, "earlier", null,
                dev.wanhybrid.gateway.generation.VideoSize.parse("1280x720"), 10, null, null,
                dev.wanhybrid.gateway.generation.AudioSpec.GENERATED, null, null);
        ledger.reserve("video_earlier", "beta", "cloud", "wan2.6-t2v", new BigDecimal("8.00"));
        ledger.settle("video_earlier", "beta", "cloud", new dev.wanhybrid.gateway.backend.BackendTask("video_earlier",
                "wan2.6-t2v", spent), new dev.wanhybrid.gateway.backend.TaskSnapshot("t",
                dev.wanhybrid.gateway.backend.TaskSnapshot.State.SUCCEEDED, 100, null, BigDecimal.valueOf(80), null,
                null, null));
        Http beta = new Http(port, TestBackends.BETA_KEY);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Http.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String body = "{\"prompt\":\"rush " + i + "\",\"size\":\"832x480\",\"seconds\":\"5\","
                    + "\"routing\":{\"backend\":\"cloud\"}}";
            replies.add(pool.submit(() -> {
                start.await();
                return beta.postJson("/v1/videos", body);
            }));
        }
        start.countDown();
        List<String> admitted = new ArrayList<>();
        int refused = 0;
        for (var f : replies) {
            Http.Reply r = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            if (r.status() == 200) {
                admitted.add(r.json().path("id").asString());
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(402);
                assertThat(r.json().at("/error/message").asString()).containsIgnoringCase("budget");
                refused++;
            }
        }
        pool.shutdown();
        assertThat(admitted.size() + refused).isEqualTo(200);
        // $2.05 was left: at most twenty $0.10 clips fit.
        assertThat(admitted).hasSizeBetween(1, 20);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> admitted.stream().allMatch(id -> TERMINAL.contains(beta.get("/v1/videos/" + id).json()
                        .path("status").asString())));
        BigDecimal spentToday = reports.totals(java.time.Instant.EPOCH, java.time.Instant.parse("3000-01-01T00:00:00Z"),
                "beta").stream().map(t -> t.actualUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(spentToday).isLessThanOrEqualTo(new BigDecimal("10.05"));
        assertThat(spentToday).isGreaterThan(new BigDecimal("8.00"));
    }

    private static String create(Http http, String body) {
        Http.Reply reply = http.postJson("/v1/videos", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("id").asString();
    }
}
