package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.tracking.PacedRateLimiter;
import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.gateway.limits.StoreFallbackWarning;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * A {@link RatePacer} whose pace is one Bucket4j bucket in the shared PostgreSQL: capacity one token, refilled
 * greedily one token per {@code 1/rate}, so that permits come {@code 1/rate} apart across all replicas together,
 * as {@link PacedRateLimiter} spaces them within one process (no burst at a window edge: the bucket never holds
 * more than the next permit). A wait is a reservation: the token is taken in one short transaction and the caller
 * sleeps until its turn, so callers on all replicas queue in one line.
 *
 * <p>When the database cannot be reached the permit comes from this process's own {@link PacedRateLimiter}
 * instead (logged at WARN at most once a minute).
 */
final class SharedRatePacer implements RatePacer {

    private final Bucket bucket;
    private final PacedRateLimiter whenStoreFails;
    private final StoreFallbackWarning warning;
    private final String name;

    SharedRatePacer(Bucket bucket, double permitsPerSecond, StoreFallbackWarning warning, String name) {
        this.bucket = bucket;
        this.whenStoreFails = new PacedRateLimiter(permitsPerSecond);
        this.warning = warning;
        this.name = name;
    }

    /** The bucket's refill interval: {@code 1/rate}, rounded up like {@link PacedRateLimiter}'s. */
    static Duration interval(double permitsPerSecond) {
        return Duration.ofNanos((long) Math.ceil(1e9 / permitsPerSecond));
    }

    @Override
    public double permitsPerSecond() {
        return whenStoreFails.permitsPerSecond();
    }

    @Override
    public boolean tryAcquire(Duration maxWait) throws InterruptedException {
        try {
            // Bucket4j takes only a positive wait: without one, a permit free now or nothing.
            return maxWait.isPositive() ? bucket.asBlocking().tryConsume(1, maxWait) : bucket.tryConsume(1);
        } catch (RuntimeException e) {
            fellBack(e);
            return whenStoreFails.tryAcquire(maxWait);
        }
    }

    @Override
    public void acquire() throws InterruptedException {
        try {
            bucket.asBlocking().consume(1);
        } catch (RuntimeException e) {
            fellBack(e);
            whenStoreFails.acquire();
        }
    }

    @Override
    public Duration untilFree() {
        try {
            return Duration.ofNanos(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
        } catch (RuntimeException e) {
            fellBack(e);
            return whenStoreFails.untilFree();
        }
    }

    private void fellBack(RuntimeException e) {
        warning.fellBack("Shared DashScope pace " + name + " unavailable; pacing with this instance's own", e);
    }
}
