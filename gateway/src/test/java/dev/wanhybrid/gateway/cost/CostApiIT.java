package dev.wanhybrid.gateway.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.JdbcSpendLedger;
import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** The cost and budget endpoints and the ledger-derived meters in a running gateway (H2). */
@TestPropertySource(properties = {"gateway.budget.admin-tenants=alpha", "gateway.cost.meter-refresh=0s"})
class CostApiIT extends ApiTestBase {

    @LocalServerPort
    int port;

    @Autowired
    JdbcSpendLedger ledger;

    Http alpha;
    Http beta;

    @BeforeEach
    void clients() {
        alpha = new Http(port, TestBackends.ALPHA_KEY);
        beta = new Http(port, TestBackends.BETA_KEY);
    }

    private Http.Reply put(Http http, String json) {
        return http.send(http.request("/v1/budgets").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void budgetsAreForAdminTenantsOnly() {
        Http.Reply reply = beta.get("/v1/budgets");

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.json().at("/error/code").asString()).isEqualTo("admin_required");
        assertThat(reply.json().at("/error/type").asString()).isEqualTo("permission_error");
    }

    @Test
    void theAdminTokenReadsAndChangesBudgetsButOpensNoOtherV1Route() {
        Http admin = new Http(port, "admin-secret");
        Http.Reply set = put(admin, "{\"scope\":\"tenant\",\"tenant\":\"beta\",\"period\":\"month\",\"limit_usd\":\"3\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(admin.get("/v1/budgets").json().get("data").valueStream()
                .anyMatch(b -> "beta".equals(b.get("tenant").asString()))).isTrue();
        assertThat(put(admin, "{\"scope\":\"tenant\",\"tenant\":\"beta\",\"period\":\"month\",\"limit_usd\":null}")
                .status()).isEqualTo(200);
        Http.Reply videos = admin.get("/v1/videos");
        assertThat(videos.status()).as("the admin token is no tenant key").isEqualTo(401);
    }

    @Test
    void aCapForATenantThatDoesNotExistIsRefusedNamingTheTenant() {
        Http.Reply reply = put(alpha, "{\"scope\":\"tenant\",\"tenant\":\"nobody\",\"period\":\"day\",\"limit_usd\":\"1\"}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().at("/error/param").asString()).isEqualTo("tenant");
        assertThat(reply.json().at("/error/code").asString()).isEqualTo("unknown_tenant");
        assertThat(alpha.get("/v1/budgets").body()).doesNotContain("nobody");
    }

    @Test
    void adminSetsATenantCapAndSeesWhatIsLeft() {
        Http.Reply set = put(alpha, "{\"scope\":\"tenant\",\"tenant\":\"gamma\",\"period\":\"day\",\"limit_usd\":\"12.50\"}");
        Http.Reply list = alpha.get("/v1/budgets");

        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("limit_usd").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(set.json().get("remaining_usd").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(list.json().get("data").valueStream()
                .filter(b -> "gamma".equals(b.get("tenant").asString()) && "day".equals(b.get("period").asString())))
                .hasSize(1);

        Http.Reply removed = put(alpha, "{\"scope\":\"tenant\",\"tenant\":\"gamma\",\"period\":\"day\",\"limit_usd\":null}");
        assertThat(removed.json().get("deleted").asBoolean()).isTrue();
    }

    @Test
    void badBudgetUpdatesAre400sNamingTheField() {
        Http.Reply period = put(alpha, "{\"scope\":\"global\",\"period\":\"week\",\"limit_usd\":\"1\"}");
        Http.Reply limit = put(alpha, "{\"scope\":\"global\",\"period\":\"day\",\"limit_usd\":\"-3\"}");
        Http.Reply text = put(alpha, "{\"scope\":\"global\",\"period\":\"day\",\"limit_usd\":\"lots\"}");
        Http.Reply tenant = put(alpha, "{\"scope\":\"tenant\",\"period\":\"day\",\"limit_usd\":\"1\"}");

        assertThat(period.status()).isEqualTo(400);
        assertThat(period.json().at("/error/param").asString()).isEqualTo("period");
        assertThat(limit.json().at("/error/param").asString()).isEqualTo("limit_usd");
        assertThat(text.json().at("/error/param").asString()).isEqualTo("limit_usd");
        assertThat(text.json().at("/error/message").asString()).contains("lots");
        assertThat(tenant.json().at("/error/param").asString()).isEqualTo("tenant");
    }

    @Test
    void summaryAndMetersComeFromTheLedger() throws Exception {
        String job = "video_" + UUID.randomUUID();
        GenerationSpec spec = new GenerationSpec("beta", "auto", TaskKind.T2V, "a fox", null, VideoSize.parse("1280x720"),
                10, null, null, AudioSpec.GENERATED, null, null);
        ledger.reserve(job, "beta", "cloud", "wan2.6-t2v", new BigDecimal("1.00"));
        ledger.settle(job, "beta", "cloud", new BackendTask(job, "wan2.6-t2v", spec),
                new TaskSnapshot("t", TaskSnapshot.State.SUCCEEDED, 100, null, BigDecimal.TEN, null, null, null));

        Http.Reply mine = beta.get("/v1/cost/summary");
        Http.Reply other = beta.get("/v1/cost/summary?tenant=alpha");
        Http.Reply all = alpha.get("/v1/cost/summary");
        String scrape = new Http(port, "admin-secret").get("/actuator/prometheus").body();

        assertThat(mine.status()).as(mine.body()).isEqualTo(200);
        assertThat(mine.json().at("/today/by_backend/cloud").decimalValue()).isGreaterThanOrEqualTo(new BigDecimal("1.00"));
        assertThat(mine.json().at("/month/videos").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(other.status()).isEqualTo(403);
        assertThat(all.json().get("tenant").isNull()).isTrue();
        assertThat(scrape).contains("gateway_cost_usd_total{backend=\"cloud\",model=\"wan2.6-t2v\",tenant=\"beta\"}")
                .contains("gateway_volume_monthly_videos").contains("gateway_breakeven_volume_videos")
                .contains("gateway_budget_remaining_usd{period=\"day\",scope=\"global\",tenant=\"\"}")
                .contains("gateway_budget_limit_usd{period=\"month\",scope=\"global\",tenant=\"\"}")
                .contains("gateway_cost_savings_usd_total{tenant=\"beta\"}")
                .contains("gateway_local_utilization ");
    }

    @Test
    void breakEvenDescribesTheConfiguredFleet() {
        Http.Reply reply = beta.get("/v1/cost/breakeven");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        // One rented H100 at $2.40/h against wan2.2-t2v-plus at $0.10 a 480P clip: 21,024 a year / 0.10 / 12
        assertThat(reply.json().get("api_usd_per_video").decimalValue()).isEqualByComparingTo("0.10");
        assertThat(reply.json().get("fixed_usd_per_year").decimalValue()).isEqualByComparingTo("21024.00");
        assertThat(reply.json().get("breakeven_videos_per_month").asLong()).isEqualTo(17520);
        assertThat(reply.json().get("recommendation").asString()).isNotBlank();
        // Almost idle, the fixed cost spread over very little work makes a local video dearer than the API.
        assertThat(reply.json().get("local_fully_loaded_usd_per_video").decimalValue()).isGreaterThan(new BigDecimal("0.10"));
    }
}
