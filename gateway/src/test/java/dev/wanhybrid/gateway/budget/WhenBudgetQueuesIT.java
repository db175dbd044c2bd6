package dev.wanhybrid.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesis;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisParam;
import com.alibaba.dashscope.aigc.videosynthesis.VideoSynthesisResult;
import com.alibaba.dashscope.utils.Constants;
import dev.wanhybrid.cloud.DashScopeTimes;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.e2e.support.Http;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A spent budget whose policy is {@code queue}, end to end on the demo gateway with its remote engine (an owned
 * engine that makes the 832x480 clip the cloud also makes) and a clock the test moves forward: the request is
 * accepted and waits, durably, with the route saying why and when it is tried again; it runs in the cloud once the
 * cap's day resets (charged to the new day), on the owned engine once that has room again, and fails at its
 * deadline with nothing billed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:when-budget-queues;DB_CLOSE_DELAY=-1",
    "gateway.demo.api-key=" + WhenBudgetQueuesIT.KEY,
    "gateway.jobs.tick=50ms", "gateway.jobs.poll-min=50ms", "gateway.jobs.poll-max=200ms",
    "gateway.cloud.simulator.pending-for=1s", "gateway.cloud.simulator.running-for=1s",
    "gateway.local.steps=2", "gateway.budget.headroom-refresh=0s",
    "gateway.budget.queue.recheck=5m", "gateway.budget.queue.poll=100ms",
    "gateway.admin.token-sha256=16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01",
})
@ActiveProfiles({"demo", "demo-remote", "owned-fleet"})
class WhenBudgetQueuesIT {

    static final String KEY = "sk-demo-budget-queues";
    /** The cloud makes it (wan2.2-t2v-plus, 5 x $0.02) and so does the owned remote engine; the in-JVM one cannot. */
    private static final String CLIP = "{\"prompt\":\"a lighthouse\",\"size\":\"832x480\",\"seconds\":\"5\"";
    private static final String REMOTE = "demo-remote";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MovableClock clock;

    @Autowired
    ResilientBackendRegistry backends;

    @Autowired
    MeterRegistry meters;

    @TestConfiguration
    static class Clocks {
        // Primary: the gateway's own clock bean is still defined, and parameters named clock would pick it.
        @Bean
        @Primary
        MovableClock movableClock() {
            return new MovableClock();
        }
    }

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        Path results = Files.createTempDirectory("budget-queues-results");
        registry.add("gateway.storage.local.root", results::toString);
    }

    /** Each test starts at 23:58 UTC of a day after anything earlier tests did, with the owned engine busy. */
    @BeforeEach
    void twoMinutesBeforeMidnightWithTheOwnedEngineDown() {
        LocalDate day = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1);
        clock.moveTo(day.atTime(23, 58).toInstant(ZoneOffset.UTC));
        remoteBreaker().transitionToForcedOpenState();
    }

    private CircuitBreaker remoteBreaker() {
        return backends.decorated(REMOTE).orElseThrow().circuitBreaker();
    }

    private Http.Reply putBudget(String limit, String policy) {
        return BudgetAdmin.putDemoDayCap(port, limit, policy);
    }

    private JsonNode waiting(Http demo, String body) {
        Http.Reply created = demo.postJson("/v1/videos", body);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode video = created.json();
        assertThat(video.path("status").asString()).isEqualTo("queued");
        assertThat(video.at("/route/reason").asString()).isEqualTo("budget_queued");
        assertThat(video.at("/route/rejected").valueStream()
                .anyMatch(r -> r.path("reason").asString().equals("budget"))).as(video.toString()).isTrue();
        assertThat(video.at("/budget_wait/cap").asString()).isEqualTo("tenant:demo/day");
        assertThat(video.at("/budget_wait/next_attempt_at").isNumber()).as(video.toString()).isTrue();
        String id = video.path("id").asString();
        // Durable: a row every replica reads (and a restarted one resumes), holding nothing against the budget.
        assertThat(jdbc.sql("SELECT phase FROM jobs WHERE id = ?").params(id).query(String.class).single())
                .isEqualTo("budget_queued");
        assertThat(spendEntries(id)).isZero();
        return video;
    }

    private long spendEntries(String jobId) {
        return jdbc.sql("SELECT COUNT(*) FROM spend_entries WHERE job_id = ?").params(jobId).query(Long.class)
                .single();
    }

    private List<String> eventPayloads(String jobId) {
        return jdbc.sql("SELECT payload FROM job_events WHERE job_id = ? ORDER BY id").params(jobId)
                .query(String.class).list();
    }

    @Test
    void aQueuedRequestRunsInTheCloudWhenTheDayResetsAndIsChargedToTheNewDay() {
        Http demo = new Http(port, KEY);
        // $0.15 a day: the first $0.10 clip fits above the 10 % degrade threshold, the second does not.
        assertThat(putBudget("0.15", "queue").json().path("when_exhausted").asString()).isEqualTo("queue");
        Http.Reply first = demo.postJson("/v1/videos", CLIP + "}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().at("/route/backend").asString()).isEqualTo("cloud");
        String firstId = first.json().path("id").asString();

        JsonNode queued = waiting(demo, CLIP + "}");
        String id = queued.path("id").asString();
        Instant midnight = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
        // The cap resets before the next recheck (5 min), so that is when it is tried again.
        assertThat(queued.at("/budget_wait/resets_at").asLong()).isEqualTo(midnight.getEpochSecond());
        assertThat(queued.at("/budget_wait/next_attempt_at").asLong()).isEqualTo(midnight.getEpochSecond());
        assertThat(FinishedVideo.of(demo, firstId).path("status").asString()).isEqualTo("completed");
        assertThat(demo.get("/v1/videos/" + id).json().path("status").asString()).isEqualTo("queued");

        clock.moveTo(midnight.plusSeconds(30));

        JsonNode done = FinishedVideo.of(demo, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("backend").asString()).isEqualTo("cloud");
        assertThat(done.path("budget_wait").isNull() || done.path("budget_wait").isMissingNode()).isTrue();
        assertThat(done.at("/route/fallbacks").valueStream().filter(f -> f.path("reason").asString()
                .equals("budget_queue")).findFirst().orElseThrow().path("detail").asString()).contains("reset");
        String today = midnight.atZone(ZoneOffset.UTC).toLocalDate().toString();
        String yesterday = midnight.minusSeconds(1).atZone(ZoneOffset.UTC).toLocalDate().toString();
        assertThat(jdbc.sql("SELECT day_key FROM spend_entries WHERE job_id = ?").params(firstId)
                .query(String.class).single()).isEqualTo(yesterday);
        assertThat(jdbc.sql("SELECT day_key FROM spend_entries WHERE job_id = ?").params(id)
                .query(String.class).single()).isEqualTo(today);
        assertThat(jdbc.sql("SELECT actual_usd FROM spend_entries WHERE job_id = ?").params(id)
                .query(BigDecimal.class).single()).isEqualByComparingTo("0.10");
        JsonNode budget = new Http(port, "admin-secret").get("/v1/budgets").json().path("data").get(0);
        assertThat(budget.path("period_key").asString()).isEqualTo(today);
        assertThat(budget.path("committed_usd").decimalValue()).isEqualByComparingTo("0.10");
        // The event stream (SSE, webhooks) saw it wait, then leave the wait.
        List<String> events = eventPayloads(id);
        assertThat(events.getFirst()).contains("budget_queued");
        assertThat(events.stream().skip(1).anyMatch(p -> !p.contains("budget_queued") && p.contains("\"queued\"")))
                .as(events.toString()).isTrue();
    }

    @Test
    void aQueuedRequestRunsOnTheOwnedEngineOnceItHasRoom() {
        Http demo = new Http(port, KEY);
        assertThat(putBudget("0", "queue").status()).isEqualTo(200);
        JsonNode queued = waiting(demo, CLIP + "}");
        String id = queued.path("id").asString();

        remoteBreaker().transitionToClosedState();
        // Tried again at the next recheck, when the owned engine has room: it runs there, over the spent cap.
        clock.advance(Duration.ofMinutes(6));

        JsonNode done = FinishedVideo.of(demo, id);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
        assertThat(done.path("backend").asString()).isEqualTo(REMOTE);
        assertThat(done.at("/route/fallbacks").valueStream().filter(f -> f.path("reason").asString()
                .equals("budget_queue")).findFirst().orElseThrow().path("detail").asString())
                .contains("owned engine");
    }

    @Test
    void aQueuedRequestFailsAtItsDeadlineNamingTheBudgetWithNothingBilled() {
        Http demo = new Http(port, KEY);
        assertThat(putBudget("0", "queue").status()).isEqualTo(200);
        JsonNode queued = waiting(demo, CLIP + ",\"routing\":{\"deadline_seconds\":600}}");
        String id = queued.path("id").asString();
        assertThat(queued.at("/budget_wait/bound").asString()).isEqualTo("routing.deadline_seconds");
        assertThat(queued.at("/budget_wait/gives_up_at").asLong())
                .isEqualTo(queued.path("created_at").asLong() + 600);

        assertThat(meters.get("gateway.jobs.budget.queued").gauge().value()).isGreaterThanOrEqualTo(1);

        clock.advance(Duration.ofMinutes(11));

        JsonNode failed = FinishedVideo.of(demo, id);
        assertThat(failed.path("status").asString()).isEqualTo("failed");
        assertThat(failed.at("/error/code").asString()).isEqualTo("budget_queue_timeout");
        assertThat(failed.at("/error/message").asString()).contains("tenant:demo/day")
                .contains("routing.deadline_seconds").contains("nothing was billed");
        assertThat(spendEntries(id)).isZero();
        assertThat(eventPayloads(id).getLast()).contains("budget_queue_timeout");
    }

    @Test
    void theDashScopeFacadeShowsTheWaitAndTheOfficialSdkReadsIt() throws Exception {
        Http demo = new Http(port, KEY);
        assertThat(putBudget("0", "queue").status()).isEqualTo(200);
        Constants.baseHttpApiUrl = "http://127.0.0.1:" + port + "/api/v1";
        VideoSynthesis sdk = new VideoSynthesis();

        VideoSynthesisResult created = sdk.asyncCall(VideoSynthesisParam.builder().apiKey(KEY)
                .model("wan2.2-t2v-plus").prompt("a lighthouse").size("832*480").duration(5).build());

        String id = created.getOutput().getTaskId();
        assertThat(created.getOutput().getTaskStatus()).isEqualTo("PENDING");
        JsonNode video = demo.get("/v1/videos/" + id).json();
        assertThat(video.at("/route/reason").asString()).as(video.toString()).isEqualTo("budget_queued");
        JsonNode task = demo.get("/api/v1/tasks/" + id).json().path("output");
        assertThat(task.path("task_status").asString()).isEqualTo("PENDING");
        assertThat(task.path("route_reason").asString()).isEqualTo("budget_queued");
        // The object's budget_wait, in the facade's flat extension fields and DashScope's time format.
        assertThat(task.path("waiting_for_budget").asString()).isEqualTo("tenant:demo/day");
        assertThat(task.path("budget_resets_time").asString()).isEqualTo(dashScopeTime(video, "resets_at"));
        assertThat(task.path("next_attempt_time").asString()).isEqualTo(dashScopeTime(video, "next_attempt_at"));
        assertThat(task.path("budget_gives_up_time").asString()).isEqualTo(dashScopeTime(video, "gives_up_at"));
        assertThat(task.path("budget_wait_bound").asString()).isEqualTo("gateway.budget.queue.max-wait");
        assertThat(task.has("waiting_for_backend")).as("not waiting for a backend").isFalse();
        VideoSynthesisResult fetched = sdk.fetch(id, KEY);
        assertThat(fetched.getOutput().getTaskId()).isEqualTo(id);
        assertThat(fetched.getOutput().getTaskStatus()).isEqualTo("PENDING");

        assertThat(putBudget("1", "queue").status()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(6));

        VideoSynthesisResult done = sdk.wait(id, KEY);
        assertThat(done.getOutput().getTaskStatus()).isEqualTo("SUCCEEDED");
        assertThat(done.getOutput().getVideoUrl()).endsWith("/v1/videos/" + id + "/content");
        JsonNode ran = demo.get("/api/v1/tasks/" + id).json().path("output");
        assertThat(ran.path("backend").asString()).isEqualTo("cloud");
        assertThat(ran.has("waiting_for_budget")).as(ran.toString()).isFalse();
        assertThat(spendEntries(id)).isEqualTo(1);
    }

    private static String dashScopeTime(JsonNode video, String field) {
        return DashScopeTimes.format(Instant.ofEpochSecond(video.path("budget_wait").path(field).asLong()));
    }

    @Test
    void aQueuedRequestCanBeCancelledWhileItWaits() {
        Http demo = new Http(port, KEY);
        assertThat(putBudget("0", "queue").status()).isEqualTo(200);
        String id = waiting(demo, CLIP + "}").path("id").asString();

        Http.Reply cancelled = demo.postJson("/v1/videos/" + id + "/cancel", "{}");

        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asString()).isEqualTo("cancelled");
        assertThat(spendEntries(id)).isZero();
    }

    @Test
    void anUnknownPolicyIsRefusedNamingTheFieldAndListingQueue() {
        Http.Reply policy = putBudget("1", "wait");

        assertThat(policy.status()).isEqualTo(400);
        assertThat(policy.json().at("/error/param").asString()).isEqualTo("when_exhausted");
        assertThat(policy.json().at("/error/message").asString()).contains("queue");
    }
}
