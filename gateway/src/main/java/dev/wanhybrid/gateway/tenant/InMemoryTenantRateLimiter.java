package dev.wanhybrid.gateway.tenant;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-tenant limits counted in this instance's memory, with Resilience4j's {@link RateLimiter} (already here for
 * the breakers), in a private registry so that tenant limiters do not mix with the backends' resilience
 * configuration. Right for one instance (the embedded H2 store); N replicas would each allow the whole limit.
 */
public class InMemoryTenantRateLimiter implements TenantRateLimiter {

    private final RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();

    @Override
    public Optional<Duration> take(String tenantId, TenantProperties.RateLimit limit) {
        // A tenant's limit is fixed for the life of the directory, so the tenant id names its limiter.
        RateLimiter limiter = registry.rateLimiter("tenant-" + tenantId,
                () -> RateLimiterConfig.custom()
                        .limitForPeriod(limit.limit())
                        .limitRefreshPeriod(limit.period())
                        .timeoutDuration(Duration.ZERO)
                        .build());
        if (limiter.acquirePermission()) {
            return Optional.empty();
        }
        long nanos = limiter.reservePermission();
        // reservePermission() returns -1 with a zero timeout; fall back to one refresh period.
        return Optional.of(nanos > 0 ? Duration.ofNanos(nanos) : limit.period());
    }
}
