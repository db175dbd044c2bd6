package dev.wanhybrid.cloud.simulator;

/**
 * A token bucket on wall-clock nanoseconds, the way API gateways meter requests: {@code rate} tokens a second,
 * holding at most {@code rate}. Sender-side pacing jitter is absorbed; a sustained excess is not.
 */
final class TokenBucket {

    private final double rate;
    private double tokens;
    private long lastNanos;

    TokenBucket(double ratePerSecond) {
        this.rate = ratePerSecond;
        this.tokens = ratePerSecond;
        this.lastNanos = System.nanoTime();
    }

    synchronized boolean tryTake() {
        if (rate <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(rate, tokens + (now - lastNanos) * rate / 1e9);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
