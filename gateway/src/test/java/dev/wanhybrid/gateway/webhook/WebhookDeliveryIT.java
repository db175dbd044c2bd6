package dev.wanhybrid.gateway.webhook;

import dev.wanhybrid.cloud.simulator.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.wanhybrid.gateway.jobs.JobQueries;
import dev.wanhybrid.gateway.net.HostResolver;
import dev.wanhybrid.gateway.net.NetProperties;
import dev.wanhybrid.gateway.net.SafeHttpFetcher;
import dev.wanhybrid.gateway.net.UrlGuard;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Signed webhook delivery from the durable outbox, on a real PostgreSQL with the application's migrations, to a
 * loopback receiver that the SSRF allow-list admits by host and port.
 */
class WebhookDeliveryIT {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static EmbeddedPostgres postgres;
    private static final AtomicInteger databases = new AtomicInteger();

    private DataSource dataSource;
    private JdbcTemplate jdbc;
    private HttpServer receiver;
    private String hookUrl;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Integer> answers = new ArrayDeque<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T04:00:00Z"));
    private NetProperties net;

    record Received(Map<String, String> headers, String body) {}

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        String name = "hooks" + databases.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        dataSource = postgres.getDatabase("postgres", name);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);

        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            var headers = new java.util.HashMap<String, String>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.getFirst()));
            received.add(new Received(headers, new String(ex.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)));
            Integer status = answers.poll();
            ex.sendResponseHeaders(status == null ? 204 : status, -1);
            ex.close();
        });
        receiver.start();
        int port = receiver.getAddress().getPort();
        hookUrl = "http://127.0.0.1:" + port + "/hook";
        net = new NetProperties(List.of("127.0.0.1:" + port), List.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(5), 3, DataSize.ofMegabytes(1));
    }

    @AfterEach
    void tearDown() {
        receiver.stop(0);
    }

    private WebhookSender sender() {
        var props = new WebhookProperties(false, Duration.ofSeconds(1), 100, 4, Duration.ofSeconds(5),
                Duration.ofHours(1), 0.5, Duration.ofSeconds(3), Duration.ofSeconds(60), Duration.ofSeconds(30),
                List.of("video.progress"));
        var fetcher = new SafeHttpFetcher(new UrlGuard(net, HostResolver.SYSTEM), net);
        WebhookSecrets secrets = tenant -> tenant.equals("acme") ? Optional.of(SECRET) : Optional.empty();
        return new WebhookSender(new WebhookOutbox(dataSource, new JobQueries(JdbcClient.create(dataSource))), fetcher, secrets, props, clock);
    }

    private void job(String id, String tenant, String webhookUrl) {
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        String spec = webhookUrl == null ? "{\"prompt\":\"p\"}"
                : "{\"prompt\":\"p\",\"webhook_url\":\"" + webhookUrl + "\"}";
        jdbc.update("""
                INSERT INTO jobs (id, tenant, status, phase, requested_model, backend, model, candidate_index, prompt,
                    seconds, spec_json, route_json, progress, cancel_requested, deleted, attempts, polls,
                    next_attempt_at, created_at, updated_at, version)
                VALUES (?, ?, 'queued', 'queued', 'auto', 'local', 'wan2.1-t2v-1.3b', 0, 'p', 5, ?, '{}', 0, FALSE,
                    FALSE, 0, 0, ?, ?, ?, 0)""", id, tenant, spec, now, now, now);
    }

    private long event(String jobId, String tenant, String type, String status) {
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        jdbc.update("INSERT INTO job_events (job_id, tenant, type, status, payload, created_at) VALUES (?,?,?,?,?,?)",
                jobId, tenant, type, status, "{\"id\":\"" + jobId + "\",\"object\":\"video\",\"status\":\"" + status
                        + "\"}", now);
        return jdbc.queryForObject("SELECT max(id) FROM job_events", Long.class);
    }

    private static String hmac(String msgId, String timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(java.util.Base64.getDecoder().decode(SECRET.substring("whsec_".length())),
                "HmacSHA256"));
        return "v1," + java.util.Base64.getEncoder().encodeToString(
                mac.doFinal((msgId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void statusChangesArriveSignedOnceEvenWithTwoInstancesSending() throws Exception {
        job("video_a", "acme", hookUrl);
        long queued = event("video_a", "acme", "video.queued", "queued");
        event("video_a", "acme", "video.progress", "in_progress");
        long completed = event("video_a", "acme", "video.completed", "completed");
        WebhookSender first = sender();
        WebhookSender second = sender();

        first.tick();
        second.tick();
        first.tick();

        assertThat(received).extracting(r -> r.headers().get("webhook-id"))
                .containsExactly("msg_" + queued, "msg_" + completed);
        for (Received r : received) {
            assertThat(r.headers().get("webhook-signature"))
                    .isEqualTo(hmac(r.headers().get("webhook-id"), r.headers().get("webhook-timestamp"), r.body()));
            assertThat(r.headers().get("webhook-timestamp"))
                    .isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        }
        JsonNode body = JsonMapper.builder().build().readTree(received.get(1).body());
        assertThat(body.get("type").asString()).isEqualTo("video.completed");
        assertThat(body.get("data").get("id").asString()).isEqualTo("video_a");
        assertThat(jdbc.queryForList("SELECT status FROM webhook_deliveries", String.class))
                .containsOnly("delivered");
    }

    @Test
    void failedDeliveryIsRetriedWithBackoffAndThenNotAgain() {
        job("video_b", "acme", hookUrl);
        event("video_b", "acme", "video.completed", "completed");
        answers.add(503);
        WebhookSender sender = sender();

        sender.tick();
        assertThat(received).hasSize(1);
        sender.tick();
        assertThat(received).as("not before its backoff").hasSize(1);

        clock.advance(Duration.ofSeconds(8));
        sender.tick();
        assertThat(received).hasSize(2);
        assertThat(received.get(1).headers().get("webhook-id")).isEqualTo(received.get(0).headers().get("webhook-id"));

        clock.advance(Duration.ofHours(2));
        sender().tick();
        assertThat(received).as("delivered once, also after a restart").hasSize(2);
        assertThat(jdbc.queryForObject("SELECT attempts FROM webhook_deliveries", Integer.class)).isEqualTo(2);
    }

    @Test
    void deliveryHeldByAnInstanceThatDiedIsSentByAnotherAfterItsLease() {
        job("video_c", "acme", hookUrl);
        long id = event("video_c", "acme", "video.completed", "completed");
        WebhookOutbox outbox = new WebhookOutbox(dataSource, new JobQueries(JdbcClient.create(dataSource)));
        WebhookSender survivor = sender();
        survivor.enqueueNewEvents();
        // an instance claims the delivery, then dies before sending
        assertThat(outbox.claimDue("dead-instance", clock.instant(), clock.instant().plusSeconds(60), 10))
                .extracting(WebhookOutbox.Delivery::eventId).containsExactly(id);

        survivor.tick();
        assertThat(received).isEmpty();

        clock.advance(Duration.ofSeconds(61));
        survivor.tick();
        assertThat(received).hasSize(1);
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        job("video_d", "acme", hookUrl);
        event("video_d", "acme", "video.failed", "failed");
        for (int i = 0; i < 10; i++) {
            answers.add(500);
        }
        WebhookSender sender = sender();
        for (int i = 0; i < 6; i++) {
            sender.tick();
            clock.advance(Duration.ofHours(2));
        }

        assertThat(received).hasSize(4);
        assertThat(jdbc.queryForObject("SELECT status FROM webhook_deliveries", String.class)).isEqualTo("failed");
    }

    @Test
    void jobsWithoutAWebhookOrWithAnUnsafeOneSendNothing() {
        job("video_e", "acme", null);
        event("video_e", "acme", "video.completed", "completed");
        job("video_f", "acme", "http://10.0.0.7/hook");
        event("video_f", "acme", "video.completed", "completed");
        job("video_g", "nosecret", hookUrl);
        event("video_g", "nosecret", "video.completed", "completed");

        sender().tick();

        assertThat(received).isEmpty();
        assertThat(jdbc.queryForList("SELECT job_id || ':' || status FROM webhook_deliveries ORDER BY job_id",
                String.class)).containsExactly("video_f:failed", "video_g:failed");
    }

    @Test
    void anEventCommittedAfterALaterOneIsStillDeliveredAndHoldsTheCursorUntilThen() throws Exception {
        job("video_h", "acme", hookUrl);
        job("video_i", "acme", hookUrl);
        WebhookOutbox outbox = new WebhookOutbox(dataSource, new JobQueries(JdbcClient.create(dataSource)));
        WebhookSender sender = sender();
        long later;
        try (Connection slow = dataSource.getConnection()) {
            // A transaction takes its event id first and commits after a later event.
            slow.setAutoCommit(false);
            try (Statement st = slow.createStatement()) {
                st.executeUpdate("INSERT INTO job_events (job_id, tenant, type, status, payload, created_at) VALUES "
                        + "('video_h', 'acme', 'video.queued', 'queued', '{\"id\":\"video_h\"}', now())");
            }
            later = event("video_i", "acme", "video.queued", "queued");
            sender.tick();
            assertThat(received).extracting(r -> r.headers().get("webhook-id")).containsExactly("msg_" + later);
            assertThat(outbox.cursor()).as("held below the open transaction's id").isEqualTo(later - 2);

            slow.commit();
        }
        clock.advance(Duration.ofSeconds(1));
        sender.tick();
        assertThat(received).extracting(r -> r.headers().get("webhook-id"))
                .containsExactlyInAnyOrder("msg_" + (later - 1), "msg_" + later);
        assertThat(outbox.cursor()).as("past both once the gap filled").isEqualTo(later);

        // A restarted sender reads from the shared cursor and sends nothing twice.
        sender().tick();
        assertThat(received).hasSize(2);
    }

    @Test
    void anEventIdThatNeverCommitsStopsHoldingTheCursorAfterTheScanLag() throws Exception {
        job("video_j", "acme", hookUrl);
        WebhookOutbox outbox = new WebhookOutbox(dataSource, new JobQueries(JdbcClient.create(dataSource)));
        try (Connection rolledBack = dataSource.getConnection()) {
            rolledBack.setAutoCommit(false);
            try (Statement st = rolledBack.createStatement()) {
                st.executeUpdate("INSERT INTO job_events (job_id, tenant, type, status, payload, created_at) VALUES "
                        + "('video_j', 'acme', 'video.queued', 'queued', '{}', now())");
            }
            rolledBack.rollback();
        }
        long later = event("video_j", "acme", "video.completed", "completed");
        WebhookSender sender = sender();
        sender.tick();
        assertThat(received).hasSize(1);
        assertThat(outbox.cursor()).isEqualTo(later - 2);

        clock.advance(Duration.ofSeconds(31));
        sender.tick();
        assertThat(outbox.cursor()).isEqualTo(later);
        assertThat(received).hasSize(1);
    }


    @Test
    void aRoundThatFailsHalfWayIsReadAgainSoNoEventIsLost() {
        job("video_k", "acme", hookUrl);
        long first = event("video_k", "acme", "video.queued", "queued");
        long second = event("video_k", "acme", "video.completed", "completed");
        AtomicInteger failures = new AtomicInteger(1);
        WebhookOutbox flaky = new WebhookOutbox(dataSource, new JobQueries(JdbcClient.create(dataSource))) {
            @Override
            public boolean enqueue(JobQueries.StoredEvent event, String url, String body, Instant now) {
                if (event.id() == second && failures.getAndDecrement() > 0) {
                    throw new org.springframework.dao.TransientDataAccessResourceException("store went away");
                }
                return super.enqueue(event, url, body, now);
            }
        };
        var props = new WebhookProperties(false, Duration.ofSeconds(1), 100, 4, Duration.ofSeconds(5),
                Duration.ofHours(1), 0.5, Duration.ofSeconds(3), Duration.ofSeconds(60), Duration.ofSeconds(30),
                List.of("video.progress"));
        WebhookSender sender = new WebhookSender(flaky, new SafeHttpFetcher(new UrlGuard(net, HostResolver.SYSTEM),
                net), tenant -> Optional.of(SECRET), props, clock);

        org.assertj.core.api.Assertions.assertThatThrownBy(sender::tick)
                .hasMessageContaining("store went away");
        assertThat(flaky.cursor()).as("not moved past the event that failed").isLessThan(second);
        sender.tick();

        assertThat(received).extracting(r -> r.headers().get("webhook-id"))
                .containsExactlyInAnyOrder("msg_" + first, "msg_" + second);
    }
}
