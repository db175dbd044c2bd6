package dev.wanhybrid.gateway.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Counts the times a shared limit could not be reached (and this instance used its own instead, or left a record
 * for the periodic sweep), and says so at WARN at most once a minute: a store outage would otherwise log once per
 * request. Thread-safe.
 */
public final class StoreFallbackWarning {

    static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final Logger log;
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());

    public StoreFallbackWarning(Logger log) {
        this.log = log;
    }

    /**
     * Records one failure; logs {@code what} (e.g. "Shared rate limit of tenant acme unavailable; using this
     * instance's own limit") and the failure, unless a warning was logged less than a minute ago.
     */
    public void fellBack(String what, RuntimeException failure) {
        fallbacks.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY.toNanos() && lastWarning.compareAndSet(last, now)) {
            log.warn("{} ({}; said at most once a minute)", what, failure.toString());
        }
    }

    /** How many times the shared limit failed. */
    public long fallbacks() {
        return fallbacks.get();
    }
}
