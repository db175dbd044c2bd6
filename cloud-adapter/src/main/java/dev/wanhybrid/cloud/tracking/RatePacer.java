package dev.wanhybrid.cloud.tracking;

import java.time.Duration;

/**
 * Hands out permits for calls to a rate-limited API one at a time, {@code 1/rate} apart, so that the server's meter
 * sees a smooth stream rather than bursts at window edges. A caller either waits its turn ({@link #acquire()}) or
 * waits only if its turn comes soon enough ({@link #tryAcquire(Duration)}), in which case a refusal takes nothing.
 *
 * <p>{@link PacedRateLimiter} paces the calls of one process; an implementation may also share one pace between
 * several processes that use the same account. Implementations are thread-safe.
 */
public interface RatePacer {

    /** The permits handed out per second. */
    double permitsPerSecond();

    /**
     * Takes the next permit if it comes within {@code maxWait}, sleeping until then; returns false at once, having
     * taken nothing, when it would come later.
     */
    boolean tryAcquire(Duration maxWait) throws InterruptedException;

    /** Takes the next permit, sleeping as long as it takes. */
    void acquire() throws InterruptedException;

    /** How long until a permit is free ({@link Duration#ZERO} when one is free now); what a refusal tells the caller. */
    Duration untilFree();
}
