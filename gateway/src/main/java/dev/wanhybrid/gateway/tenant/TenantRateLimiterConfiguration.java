package dev.wanhybrid.gateway.tenant;

import dev.wanhybrid.gateway.limits.RateLimitStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Counts tenant rate limits where {@link RateLimitStore} ({@code gateway.rate-limits.store}) says: shared by all
 * instances in PostgreSQL, or in this instance's memory.
 */
@Configuration(proxyBeanMethods = false)
class TenantRateLimiterConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TenantRateLimiterConfiguration.class);

    @Bean
    TenantRateLimiter tenantRateLimiter(RateLimitStore store) {
        TenantRateLimiter limiter = store.sharedDatabase().<TenantRateLimiter>map(SharedTenantRateLimiter::new)
                .orElseGet(InMemoryTenantRateLimiter::new);
        log.info("Tenant rate limits: {}", limiter instanceof SharedTenantRateLimiter
                ? "shared by all instances in PostgreSQL (" + SharedTenantRateLimiter.TABLE + ")"
                : "in this instance's memory");
        return limiter;
    }
}
