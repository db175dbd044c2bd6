package dev.wanhybrid.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.e2e.support.Http;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
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
 * A spent budget's own policy, end to end through {@code /v1/budgets} and {@code /v1/videos} of the demo gateway
 * (its local engine makes 256x160 clips on the CPU on an owned fleet, so local work costs its power; everything else
 * goes to the DashScope simulator): {@code reject} refuses even local work with 402 in the OpenAI error shape,
 * {@code local_only} runs what owned engines can make and refuses the rest, {@code lower_tier} runs the request at
 * the smaller size the caller allowed (a 480p cloud clip instead of a 720p one) and the route says so; bad settings
 * are 400s naming the field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:when-budget-spent;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + WhenBudgetSpentIT.KEY,
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.cloud.simulator.pending-for=1s", "gateway.cloud.simulator.running-for=1s",
    "gateway.local.steps=2", "gateway.budget.headroom-refresh=0s",
    "gateway.admin.token-sha256=16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01",
})
// owned-fleet (test resources): a local video costs its measured GPU-seconds at the power price, not nothing.
@ActiveProfiles({"demo", "owned-fleet"})
class WhenBudgetSpentIT {

    static final String KEY = "sk-demo-budget-spent";
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");
    private static final String LOCAL_CLIP = "{\"prompt\":\"a paper boat\",\"size\":\"256x160\",\"seconds\":\"1\"}";
    private static final String CLOUD_CLIP = "{\"prompt\":\"a lighthouse\",\"size\":\"832x480\",\"seconds\":\"5\"}";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        Path results = Files.createTempDirectory("budget-spent-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    private Http.Reply putBudget(String limit, String policy) {
        return BudgetAdmin.putDemoDayCap(port, limit, policy);
    }

    private JsonNode completed(Http demo, String id) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300)).until(() ->
                TERMINAL.contains(demo.get("/v1/videos/" + id).json().path("status").asString()));
        JsonNode video = demo.get("/v1/videos/" + id).json();
        assertThat(video.path("status").asString()).as(video.toString()).isEqualTo("completed");
        return video;
    }

    @Test
    void eachPolicyOfASpentBudgetDecidesWhatARequestGets() {
        Http demo = new Http(port, KEY);

        // reject (the default): nothing is left, so even the owned engine's few cents of power are refused.
        Http.Reply set = putBudget("0", null);
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().path("when_exhausted").asString()).isEqualTo("reject");
        for (String body : new String[] {LOCAL_CLIP, CLOUD_CLIP}) {
            Http.Reply refused = demo.postJson("/v1/videos", body);
            assertThat(refused.status()).as(refused.body()).isEqualTo(402);
            assertThat(refused.json().at("/error/code").asString()).isEqualTo("budget_exceeded");
        }

        // local_only: the owned engine takes what it can make, its cost recorded over the spent cap; the cloud
        // is refused, with the policy named.
        assertThat(putBudget("0", "local_only").json().path("when_exhausted").asString()).isEqualTo("local_only");
        Http.Reply local = demo.postJson("/v1/videos", LOCAL_CLIP);
        assertThat(local.status()).as(local.body()).isEqualTo(200);
        assertThat(local.json().at("/route/backend").asString()).isEqualTo("local");
        Http.Reply cloud = demo.postJson("/v1/videos", CLOUD_CLIP);
        assertThat(cloud.status()).as(cloud.body()).isEqualTo(402);
        assertThat(cloud.json().at("/error/code").asString()).isEqualTo("budget_exceeded");
        assertThat(cloud.json().at("/error/message").asString()).contains("local_only");
        String localId = local.json().path("id").asString();
        completed(demo, localId);
        BigDecimal localCost = jdbc.sql("SELECT actual_usd FROM spend_entries WHERE job_id = ?").params(localId)
                .query(BigDecimal.class).single();
        assertThat(localCost).isPositive();
        JsonNode status = new Http(port, "admin-secret").get("/v1/budgets").json().path("data").get(0);
        assertThat(status.path("committed_usd").decimalValue()).isEqualByComparingTo(localCost);

        // lower_tier, with $0.15 a day (cloud work may use what is left above the degrade threshold, 10 %): the
        // cheapest silent 720p clip (wan2.1-t2v-turbo, 5 x $0.036) is over it; at the 480p size the caller allowed
        // (wan2.2-t2v-plus, 5 x $0.02) it fits, runs at that size, and the route says what changed and why.
        assertThat(putBudget("0.15", "lower_tier").status()).isEqualTo(200);
        String hd = "{\"prompt\":\"a lighthouse\",\"size\":\"1280x720\",\"seconds\":\"5\"";
        Http.Reply notAllowed = demo.postJson("/v1/videos", hd + "}");
        assertThat(notAllowed.status()).as(notAllowed.body()).isEqualTo(402);
        assertThat(notAllowed.json().at("/error/message").asString()).contains("routing.lower_tier_size");
        Http.Reply lowered = demo.postJson("/v1/videos", hd + ",\"routing\":{\"lower_tier_size\":\"832x480\"}}");
        assertThat(lowered.status()).as(lowered.body()).isEqualTo(200);
        assertThat(lowered.json().at("/route/reason").asString()).isEqualTo("lower_tier");
        assertThat(lowered.json().at("/route/backend").asString()).isEqualTo("cloud");
        assertThat(lowered.json().at("/route/lower_tier/from_size").asString()).isEqualTo("1280x720");
        assertThat(lowered.json().at("/route/lower_tier/to_size").asString()).isEqualTo("832x480");
        assertThat(lowered.json().at("/route/lower_tier/detail").asString()).contains("lower_tier");
        assertThat(lowered.json().at("/route/rejected").valueStream()
                .anyMatch(r -> r.path("reason").asString().equals("budget"))).as(lowered.body()).isTrue();
        String loweredId = lowered.json().path("id").asString();
        JsonNode done = completed(demo, loweredId);
        assertThat(done.path("size").asString()).isEqualTo("832x480");
        assertThat(done.at("/route/lower_tier/to_size").asString()).isEqualTo("832x480");
        assertThat(jdbc.sql("SELECT actual_usd FROM spend_entries WHERE job_id = ?").params(loweredId)
                .query(BigDecimal.class).single()).isEqualByComparingTo("0.10");

        // With room under the cap the request runs as asked: the policy applies only once the budget is spent.
        assertThat(putBudget("5", "lower_tier").status()).isEqualTo(200);
        Http.Reply asAsked = demo.postJson("/v1/videos", hd + ",\"routing\":{\"lower_tier_size\":\"832x480\"}}");
        assertThat(asAsked.status()).as(asAsked.body()).isEqualTo(200);
        assertThat(asAsked.json().at("/route/reason").asString()).isNotEqualTo("lower_tier");
        assertThat(asAsked.json().at("/route/lower_tier").isNull() || asAsked.json().at("/route/lower_tier")
                .isMissingNode()).isTrue();
        assertThat(asAsked.json().path("size").asString()).isEqualTo("1280x720");
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        Http.Reply policy = putBudget("1", "sometimes");
        assertThat(policy.status()).isEqualTo(400);
        assertThat(policy.json().at("/error/param").asString()).isEqualTo("when_exhausted");

        Http demo = new Http(port, KEY);
        Http.Reply larger = demo.postJson("/v1/videos", "{\"prompt\":\"x\",\"size\":\"832x480\","
                + "\"routing\":{\"lower_tier_size\":\"1280x720\"}}");
        assertThat(larger.status()).isEqualTo(400);
        assertThat(larger.json().at("/error/param").asString()).isEqualTo("routing.lower_tier_size");
        Http.Reply malformed = demo.postJson("/v1/videos", "{\"prompt\":\"x\",\"routing\":{\"lower_tier_size\":\"small\"}}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/error/param").asString()).isEqualTo("routing.lower_tier_size");
    }
}
