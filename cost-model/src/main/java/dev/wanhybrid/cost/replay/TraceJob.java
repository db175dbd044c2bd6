package dev.wanhybrid.cost.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One request of a workload trace.
 *
 * @param arrival when it arrives
 * @param kind {@code t2v} or {@code i2v}
 * @param width frame width
 * @param height frame height
 * @param seconds clip length
 * @param audio whether it wants sound
 * @param deadline time from arrival to a finished video
 * @param tenant who sent it
 */
public record TraceJob(Instant arrival, String kind, int width, int height, int seconds, boolean audio,
        Duration deadline, String tenant) {

    /** The kinds of request a trace holds, and so the kinds a replay catalog's models can be listed under. */
    public static final java.util.Set<String> KINDS = java.util.Set.of("t2v", "i2v");

    public TraceJob {
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(tenant, "tenant");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be t2v or i2v, was '" + kind + "'");
        }
        if (width <= 0 || height <= 0 || seconds <= 0 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("size, seconds and deadline must be positive");
        }
    }

    public Instant due() {
        return arrival.plus(deadline);
    }
}
