package dev.wanhybrid.gateway.tenant;

import dev.wanhybrid.gateway.limits.StoreFallbackWarning;
import dev.wanhybrid.gateway.limits.UnloggedRateBuckets;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.BucketNotFoundException;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Per-tenant limits held in the PostgreSQL that every replica shares, so that N gateway instances together allow a
 * tenant its limit once, not N times. Each tenant's limit is a Bucket4j token bucket ({@code limit} tokens, all
 * refilled every {@code period}, like the in-memory limiter) stored as one row of {@code tenant_rate_buckets}
 * (migration V45); taking a permit is one short transaction that locks that row ({@code SELECT ... FOR UPDATE}), so
 * tenants never contend with each other. The table is unlogged ({@link UnloggedRateBuckets}, migration 53), so that
 * transaction commits without waiting for the disk: after a crash of the database server every bucket starts full.
 *
 * <p>A row is keyed by tenant and limit, so a changed limit starts a fresh bucket; rows not written for a while
 * after they would be full again expire and are deleted every {@link #CLEAN_EVERY}. Bucket4j computes refills with
 * each instance's clock, so replicas need synchronized clocks (NTP), as the job leases already do.
 *
 * <p>When the database cannot be reached the permit is taken from this instance's own in-memory limiter instead
 * (logged at WARN, at most once a minute): a store outage fails the submit itself anyway, and reads keep their
 * per-instance limit.
 */
public class SharedTenantRateLimiter implements TenantRateLimiter, DisposableBean {

    /** The table of migration V45. */
    public static final String TABLE = "tenant_rate_buckets";
    /** How long a full bucket's row is kept after its last write before it may be deleted. */
    static final Duration KEEP_FULL = Duration.ofMinutes(1);
    static final Duration CLEAN_EVERY = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(SharedTenantRateLimiter.class);

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final Map<String, Proxies> proxies = new ConcurrentHashMap<>();
    private final StoreFallbackWarning fallbacks = new StoreFallbackWarning(log);
    private final TenantRateLimiter whenStoreFails = new InMemoryTenantRateLimiter();
    private final PeriodicTask cleaning;

    public SharedTenantRateLimiter(DataSource dataSource) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL))
                .build();
        this.cleaning = PeriodicTask.every("tenant-rate-bucket-cleaning", CLEAN_EVERY, this::removeExpired);
        cleaning.start();
    }

    /** The row key of a tenant's bucket: the tenant and its limit, so that a new limit gets a new bucket. */
    static String key(String tenantId, TenantProperties.RateLimit limit) {
        return tenantId + ":" + limit.limit() + "/" + limit.period();
    }

    @Override
    public Optional<Duration> take(String tenantId, TenantProperties.RateLimit limit) {
        Proxies bucket = proxies.computeIfAbsent(key(tenantId, limit), key -> {
            Supplier<BucketConfiguration> configuration = () -> BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(limit.limit())
                            .refillIntervally(limit.limit(), limit.period()).build())
                    .build();
            return new Proxies(buckets.builder().withOptimization(Optimizations.batching()).build(key, configuration),
                    buckets.builder().build(key, configuration));
        });
        ConsumptionProbe probe;
        try {
            probe = bucket.take();
        } catch (RuntimeException e) {
            fallbacks.fellBack("Shared rate limit of tenant " + tenantId + " unavailable; using this instance's own"
                    + " limit", e);
            return whenStoreFails.take(tenantId, limit);
        }
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** How many takes used this instance's own limit because the shared one failed. */
    public long fallbacks() {
        return fallbacks.fallbacks();
    }

    /**
     * A bucket's two proxies. Batching: while one take of the bucket is in flight from this instance, the takes
     * that arrive meanwhile wait and go together in the next transaction, so a busy tenant costs one row lock per
     * round trip rather than one per request; each take still gets its own exact answer. A batch does not create a
     * missing row, though (Bucket4j 8.14 fails the whole batch with {@link BucketNotFoundException}, having applied
     * nothing), so then the take is repeated on the plain proxy, which creates the bucket.
     */
    private record Proxies(BucketProxy batched, BucketProxy plain) {

        ConsumptionProbe take() {
            try {
                return batched.tryConsumeAndReturnRemaining(1);
            } catch (RuntimeException e) {
                if (!causedByMissingBucket(e)) {
                    throw e;
                }
                return plain.tryConsumeAndReturnRemaining(1);
            }
        }

        private static boolean causedByMissingBucket(Throwable e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BucketNotFoundException) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Deletes rows of buckets that have been full for {@link #KEEP_FULL}; returns how many. */
    int removeExpired() {
        int removed = 0;
        int batch;
        do {
            batch = buckets.removeExpired(1000);
            removed += batch;
        } while (batch == 1000);
        return removed;
    }

    @Override
    public void destroy() {
        cleaning.stop();
    }
}
