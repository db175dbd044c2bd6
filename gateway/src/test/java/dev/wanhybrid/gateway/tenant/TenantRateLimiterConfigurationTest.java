package dev.wanhybrid.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.limits.RateLimitStore;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class TenantRateLimiterConfigurationTest {

    static JdbcDataSource h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:rate-limits");
        return h2;
    }

    @Test
    void theEmbeddedH2StoreKeepsLimitsInMemoryAndRefusesToShareThem() throws Exception {
        TenantRateLimiterConfiguration configuration = new TenantRateLimiterConfiguration();
        assertThat(configuration.tenantRateLimiter(RateLimitStore.resolve(h2(), "auto")))
                .isInstanceOf(InMemoryTenantRateLimiter.class);
        assertThat(configuration.tenantRateLimiter(RateLimitStore.resolve(h2(), "memory")))
                .isInstanceOf(InMemoryTenantRateLimiter.class);
        assertThatThrownBy(() -> RateLimitStore.resolve(h2(), "shared"))
                .hasMessageContaining("gateway.rate-limits.store=shared needs PostgreSQL");
        assertThatThrownBy(() -> RateLimitStore.resolve(h2(), "redis"))
                .hasMessageContaining("gateway.rate-limits.store must be auto, shared or memory");
    }

    @Test
    void anUnreachableSharedStoreFallsBackToThisInstancesOwnLimit() {
        // Port 1 on loopback: nothing listens, so every bucket transaction fails to connect.
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        SharedTenantRateLimiter limiter = new SharedTenantRateLimiter(unreachable);
        try {
            TenantProperties.RateLimit two = new TenantProperties.RateLimit(2, Duration.ofHours(1));
            assertThat(limiter.take("acme", two)).isEmpty();
            assertThat(limiter.take("acme", two)).isEmpty();
            assertThat(limiter.take("acme", two)).hasValueSatisfying(wait -> assertThat(wait).isPositive());
            assertThat(limiter.fallbacks()).isEqualTo(3);
        } finally {
            limiter.destroy();
        }
    }

    @Test
    void aBucketsKeyNamesItsTenantAndLimit() {
        assertThat(SharedTenantRateLimiter.key("acme", new TenantProperties.RateLimit(10, Duration.ofMinutes(1))))
                .isEqualTo("acme:10/PT1M");
    }
}
