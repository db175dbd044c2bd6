package dev.wanhybrid.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import dev.wanhybrid.gateway.backend.BillingRecords;
import dev.wanhybrid.gateway.budget.SpendLedger;
import java.time.Clock;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The ledger equals the provider's billing after the two ways a charge escapes a job's own settlement: a cancel
 * that reaches a task already running (the provider finishes and bills it), and a task the provider created for a
 * submission no job holds (an orphan). Both end up as ledger entries with their reason, in the spend totals, once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:billing-reconciliation;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=100ms", "gateway.jobs.poll-max=300ms",
    "gateway.cloud.simulator.pending-for=500ms", "gateway.cloud.simulator.running-for=3s",
    // Rounds are run by the test; orphans are old enough at once (no job here is in doubt).
    "gateway.billing.reconcile-interval=1h", "gateway.billing.orphan-after=0s",
})
@ActiveProfiles("demo")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BillingReconciliationIT {

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
    BillingReconciler reconciler;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ObjectProvider<BillingRecords> providers;

    @Autowired
    SpendLedger ledger;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestBackends.registerTenantsAndResults(registry, "billing-reconciliation");
    }

    @Test
    @Order(1)
    void cancelledButBilledAndOrphanTasksBecomeLedgerEntriesWithTheirReasonOnce() throws Exception {
        Http alpha = new Http(port, TestBackends.ALPHA_KEY);
        Http.Reply created = alpha.postJson("/v1/videos", "{\"prompt\":\"too late to stop\",\"model\":\"" + MODEL
                + "\",\"size\":\"832x480\",\"seconds\":\"5\",\"routing\":{\"backend\":\"cloud\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asString();
        DashScopeClient dashscope = DashScopeClient.builder().apiKey(ApiKey.of("sk-demo-simulator"))
                .baseUrl(simulator.baseUrl()).catalog(ModelCatalog.load()).build();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String taskId = jobs.find(id).orElseThrow().taskId();
            return taskId != null && dashscope.query(taskId).status() == TaskStatus.RUNNING;
        });

        assertThat(alpha.post("/v1/videos/" + id + "/cancel", null, new byte[0]).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "cancelled".equals(alpha.get("/v1/videos/" + id).json()
                .path("status").asString()));
        Job cancelled = jobs.find(id).orElseThrow();
        assertThat(cancelled.errorCode()).isEqualTo("cancelled_after_start");
        assertThat(alpha.get("/v1/videos/" + id).body()).as("the object says the charge is kept")
                .contains("charge is kept");
        assertThat(reports.reservedUsd("alpha")).as("held until the provider's bill is known").isPositive();

        // A task no job holds: its create answer was lost and no job bound it.
        String orphan = dashscope.create(VideoRequest.builder(MODEL).prompt("nobody's clip").size("832*480")
                .duration(5).build()).taskId();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                dashscope.query(orphan).status() == TaskStatus.SUCCEEDED
                        && dashscope.query(cancelled.taskId()).status() == TaskStatus.SUCCEEDED);

        BillingReconciler.Round first = reconciler.reconcileOnce();
        BillingReconciler.Round second = reconciler.reconcileOnce();

        CloudPriceTable prices = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);
        BigDecimal clip = prices.costOf(VideoJob.of(MODEL, 832, 480, 5, false), LocalDate.now(ZoneOffset.UTC))
                .orElseThrow().amount();
        assertThat(first.orphans()).isEqualTo(1);
        assertThat(first.cancelledOrFailedButBilled()).isEqualTo(1);
        assertThat(first.recordedUsd()).isEqualByComparingTo(clip.multiply(BigDecimal.TWO));
        assertThat(second.recordedUsd()).as("a repeated round returns the recorded amounts, adds nothing")
                .isEqualByComparingTo(first.recordedUsd());
        assertThat(reason(id)).isEqualTo("cancelled_but_billed");
        assertThat(reason("orphan_" + orphan)).isEqualTo("orphan_task");
        assertThat(reports.reservedUsd("alpha")).isEqualByComparingTo("0");

        BigDecimal ledger = reports.totals(Instant.EPOCH, Instant.parse("3000-01-01T00:00:00Z"), null).stream()
                .map(t -> t.actualUsd()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(ledger).as("ledger = the simulator's billing: two 5 s 480P clips")
                .isEqualByComparingTo(clip.multiply(BigDecimal.TWO));
        assertThat(simulator.stats().submissions()).isEqualTo(2);
    }

    /** The schedule itself, not a direct call: started as the context starts it, it records a new orphan. */
    @Test
    @Order(2)
    void theScheduledRoundsRecordAnOrphanWithoutBeingCalled() throws Exception {
        DashScopeClient dashscope = DashScopeClient.builder().apiKey(ApiKey.of("sk-demo-simulator"))
                .baseUrl(simulator.baseUrl()).catalog(ModelCatalog.load()).build();
        String orphan = dashscope.create(VideoRequest.builder(MODEL).prompt("a clip nobody claimed").size("832*480")
                .duration(5).build()).taskId();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> dashscope.query(orphan).status() == TaskStatus.SUCCEEDED);
        BillingReconciler scheduled = new BillingReconciler(providers.orderedStream().toList(), jobs, ledger,
                Clock.systemUTC(), Duration.ofMillis(100), Duration.ZERO);

        scheduled.start();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> jdbc
                    .sql("SELECT count(*) FROM spend_entries WHERE job_id = ?").param("orphan_" + orphan)
                    .query(Integer.class).single() == 1);
        } finally {
            scheduled.stop();
        }
        assertThat(reason("orphan_" + orphan)).isEqualTo("orphan_task");
        assertThat(scheduled.isRunning()).isFalse();
    }

    private String reason(String entry) {
        return jdbc.sql("SELECT reason FROM spend_entries WHERE job_id = ?").param(entry).query(String.class).single();
    }
}
