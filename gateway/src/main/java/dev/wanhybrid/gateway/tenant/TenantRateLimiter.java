package dev.wanhybrid.gateway.tenant;

import java.time.Duration;
import java.util.Optional;

/**
 * Where per-tenant rate limits are counted: in this instance's memory ({@link InMemoryTenantRateLimiter}, the
 * embedded store's single instance) or in the PostgreSQL that all replicas share ({@link SharedTenantRateLimiter}).
 * Chosen by {@code gateway.rate-limits.store} ({@link TenantRateLimiterConfiguration}).
 */
public interface TenantRateLimiter {

    /**
     * Takes one permit of the tenant's limit.
     *
     * @param tenantId the tenant
     * @param limit its configured limit
     * @return empty when allowed, else how long until the next permit
     */
    Optional<Duration> take(String tenantId, TenantProperties.RateLimit limit);
}
