package dev.wanhybrid.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.GatewayOnPostgres;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two gateway instances (two Spring contexts on two ports) on one real PostgreSQL share each tenant's rate limit:
 * requests spread over both, sent concurrently, are accepted exactly up to the limit once, not once per instance,
 * and the refusals are the same 429 with {@code Retry-After} in the OpenAI error envelope as on one instance.
 */
class TenantRateLimitsAcrossInstancesIT {

    /** Ten requests a minute: the test never waits for this bucket to refill. */
    static final String DELTA_KEY = "sk-test-delta";
    /** Four requests every five seconds: the test waits for one refill. */
    static final String EPSILON_KEY = "sk-test-epsilon";

    static EmbeddedPostgres postgres;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Path results = Files.createTempDirectory("rate-limits");
        first = instance(results, "gw-a");
        second = instance(results, "gw-b");
    }

    static ConfigurableApplicationContext instance(Path results, String id) {
        return GatewayOnPostgres.start(postgres, results, id,
                "--gateway.tenants[3].id=delta",
                "--gateway.tenants[3].api-key-sha256=" + TenantDirectory.sha256Hex(DELTA_KEY),
                "--gateway.tenants[3].rate-limit.limit=10",
                "--gateway.tenants[3].rate-limit.period=1m",
                "--gateway.tenants[4].id=epsilon",
                "--gateway.tenants[4].api-key-sha256=" + TenantDirectory.sha256Hex(EPSILON_KEY),
                "--gateway.tenants[4].rate-limit.limit=4",
                "--gateway.tenants[4].rate-limit.period=5s");
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayOnPostgres.close(second, first, postgres);
    }

    /** Sends {@code count} reads concurrently, alternating between the two instances; the replies in sending order. */
    static List<Http.Reply> spread(String key, int count) throws Exception {
        Http onFirst = new Http(GatewayOnPostgres.port(first), key);
        Http onSecond = new Http(GatewayOnPostgres.port(second), key);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Http via = i % 2 == 0 ? onFirst : onSecond;
                replies.add(pool.submit(() -> via.get("/v1/videos")));
            }
            List<Http.Reply> done = new ArrayList<>();
            for (Future<Http.Reply> reply : replies) {
                done.add(reply.get());
            }
            return done;
        }
    }

    static long accepted(List<Http.Reply> replies) {
        return replies.stream().filter(r -> r.status() == 200).count();
    }

    @Test
    void bothInstancesTogetherAcceptATenantsLimitOnce() throws Exception {
        assertThat(first.getBean(TenantRateLimiter.class)).isInstanceOf(SharedTenantRateLimiter.class);
        // The gateway's own migrations made the buckets unlogged (migration 53): a permit waits for no WAL flush.
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT relpersistence FROM pg_class WHERE relname = 'tenant_rate_buckets'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("u");
        }

        List<Http.Reply> replies = spread(DELTA_KEY, 30);

        assertThat(accepted(replies)).as("accepted by both instances together").isEqualTo(10);
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isIn(200, 429));
        for (Http.Reply refused : replies.stream().filter(r -> r.status() == 429).toList()) {
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
            assertThat(refused.json().path("error").path("type").asString()).isEqualTo("rate_limit_error");
            assertThat(refused.json().path("error").path("code").asString()).isEqualTo("rate_limit_exceeded");
            assertThat(refused.json().path("error").path("message").asString()).contains("tenant delta");
        }
        // Each instance refuses on its own too: neither has a private allowance left over.
        assertThat(new Http(GatewayOnPostgres.port(first), DELTA_KEY).get("/v1/videos").status()).isEqualTo(429);
        assertThat(new Http(GatewayOnPostgres.port(second), DELTA_KEY).get("/v1/videos").status()).isEqualTo(429);
        // Another tenant's bucket is its own row.
        assertThat(new Http(GatewayOnPostgres.port(second), TestBackends.ALPHA_KEY).get("/v1/videos").status())
                .isEqualTo(200);
        assertThat(bucketRows()).contains("delta:10/PT1M");
        assertThat(fallbacks()).as("takes that fell back to an instance's own limit").isZero();
    }

    @Test
    void theSharedBucketRefillsOncePerPeriodForBothInstances() throws Exception {
        List<Http.Reply> firstPeriod = spread(EPSILON_KEY, 12);
        assertThat(accepted(firstPeriod)).isEqualTo(4);
        long waitSeconds = firstPeriod.stream().filter(r -> r.status() == 429)
                .mapToLong(r -> Long.parseLong(r.header("Retry-After"))).max().orElseThrow();
        assertThat(waitSeconds).isBetween(1L, 5L);

        Thread.sleep(waitSeconds * 1000 + 200);

        List<Http.Reply> secondPeriod = spread(EPSILON_KEY, 12);
        assertThat(accepted(secondPeriod)).as("one refill of four, shared").isEqualTo(4);
        assertThat(fallbacks()).as("takes that fell back to an instance's own limit").isZero();
    }

    @Test
    void rowsOfBucketsLongFullAreDeletedAndLiveOnesKept() throws Exception {
        // alpha, not delta: the other tests count delta's permits, and JUnit does not fix the test order.
        spread(TestBackends.ALPHA_KEY, 1);
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            // A bucket of a limit no longer configured, full again long ago (expires_at is epoch milliseconds).
            statement.executeUpdate("INSERT INTO " + SharedTenantRateLimiter.TABLE
                    + " (id, state, expires_at) VALUES ('alpha:3/PT1S', NULL, 1000)");
            try (ResultSet live = statement.executeQuery("SELECT expires_at FROM " + SharedTenantRateLimiter.TABLE
                    + " WHERE id = 'alpha:100000/PT1S'")) {
                assertThat(live.next()).isTrue();
                assertThat(live.getLong(1)).as("a live bucket expires after it would be full again")
                        .isGreaterThan(System.currentTimeMillis());
            }
        }

        int removed = ((SharedTenantRateLimiter) second.getBean(TenantRateLimiter.class)).removeExpired();

        assertThat(removed).isEqualTo(1);
        assertThat(bucketRows()).doesNotContain("alpha:3/PT1S").contains("alpha:100000/PT1S");
    }

    static long fallbacks() {
        return ((SharedTenantRateLimiter) first.getBean(TenantRateLimiter.class)).fallbacks()
                + ((SharedTenantRateLimiter) second.getBean(TenantRateLimiter.class)).fallbacks();
    }

    static List<String> bucketRows() throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id FROM " + SharedTenantRateLimiter.TABLE)) {
            List<String> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
            return ids;
        }
    }
}
