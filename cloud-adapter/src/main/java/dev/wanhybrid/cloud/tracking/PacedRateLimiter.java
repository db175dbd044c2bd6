package dev.wanhybrid.cloud.tracking;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Spaces permits evenly, {@code 1/rate} apart, so that no one-second window ever holds more than {@code rate}
 * of them and the server's own meter sees a smooth stream rather than bursts at window edges.
 *
 * <p>Chosen over resilience4j's {@code RateLimiter}, whose fixed refresh windows admit up to twice the limit
 * across a window boundary, which is exactly what DashScope answers with 429. Counts this process's calls only; a
 * pace shared by several processes implements {@link RatePacer} too. Thread-safe.
 */
public final class PacedRateLimiter implements RatePacer {

    private final double permitsPerSecond;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long nextFreeNanos;

    public PacedRateLimiter(double permitsPerSecond) {
        this(permitsPerSecond, System::nanoTime);
    }

    /** With an injected nanosecond ticker, for tests. */
    public PacedRateLimiter(double permitsPerSecond, LongSupplier nanoTime) {
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("permitsPerSecond must be positive and finite, was " + permitsPerSecond);
        }
        this.permitsPerSecond = permitsPerSecond;
        this.intervalNanos = (long) Math.ceil(1e9 / permitsPerSecond);
        this.nanoTime = nanoTime;
        this.nextFreeNanos = nanoTime.getAsLong();
    }

    @Override
    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    /** Takes a permit if one is free now. */
    public synchronized boolean tryAcquire() {
        long now = nanoTime.getAsLong();
        if (now - nextFreeNanos >= 0) {
            nextFreeNanos = now + intervalNanos;
            return true;
        }
        return false;
    }

    /** Nanoseconds until {@link #tryAcquire()} can succeed ({@code 0} when it can now). */
    public synchronized long nanosUntilFree() {
        return Math.max(0, nextFreeNanos - nanoTime.getAsLong());
    }

    /** Reserves the next permit and returns how long the caller must wait before using it. */
    public synchronized long reserve() {
        long now = nanoTime.getAsLong();
        long at = Math.max(now, nextFreeNanos);
        nextFreeNanos = at + intervalNanos;
        return at - now;
    }

    /**
     * Reserves the next permit only if it is free within {@code maxWaitNanos}: returns how long the caller must wait
     * before using it, or {@code -1} when it would come later, in which case nothing is reserved.
     */
    public synchronized long reserveWithin(long maxWaitNanos) {
        long now = nanoTime.getAsLong();
        long at = Math.max(now, nextFreeNanos);
        if (at - now > maxWaitNanos) {
            return -1;
        }
        nextFreeNanos = at + intervalNanos;
        return at - now;
    }

    @Override
    public boolean tryAcquire(Duration maxWait) throws InterruptedException {
        long wait = reserveWithin(maxWait.toNanos());
        if (wait < 0) {
            return false;
        }
        sleep(wait);
        return true;
    }

    /** Blocks until a permit is free, then takes it. */
    @Override
    public void acquire() throws InterruptedException {
        sleep(reserve());
    }

    @Override
    public Duration untilFree() {
        return Duration.ofNanos(nanosUntilFree());
    }

    private static void sleep(long nanos) throws InterruptedException {
        if (nanos > 0) {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    }
}
