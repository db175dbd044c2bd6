package dev.wanhybrid.cloud.tracking;

import java.time.Duration;

/**
 * How often to ask about one task: first after {@code firstPoll}, then at intervals that grow by {@code growth}
 * while nothing changes, from {@code minInterval} up to {@code maxInterval}, and fall back to the minimum when
 * the state changes. Errors back off the same way. The global query rate caps all of it.
 *
 * @param firstPoll delay before the first query of a new task
 * @param minInterval the shortest interval between two queries of one task
 * @param maxInterval the longest (Alibaba suggests about 15 s)
 * @param growth the factor an unchanged answer multiplies the interval by (at least 1)
 */
public record PollPolicy(Duration firstPoll, Duration minInterval, Duration maxInterval, double growth) {

    /** 5 s first, then 3 s growing by 1.5 up to 15 s. */
    public static final PollPolicy DEFAULT = new PollPolicy(Duration.ofSeconds(5), Duration.ofSeconds(3),
            Duration.ofSeconds(15), 1.5);

    public PollPolicy {
        if (firstPoll == null || firstPoll.isNegative()) {
            throw new IllegalArgumentException("firstPoll must be zero or positive, was " + firstPoll);
        }
        if (minInterval == null || minInterval.isNegative() || minInterval.isZero()) {
            throw new IllegalArgumentException("minInterval must be positive, was " + minInterval);
        }
        if (maxInterval == null || maxInterval.compareTo(minInterval) < 0) {
            throw new IllegalArgumentException("maxInterval must be >= minInterval, was " + maxInterval);
        }
        if (!(growth >= 1)) {
            throw new IllegalArgumentException("growth must be >= 1, was " + growth);
        }
    }

    /** The interval after one that lasted {@code previousNanos} and brought no change. */
    long grow(long previousNanos) {
        return Math.min(maxInterval.toNanos(), Math.max(minInterval.toNanos(), (long) (previousNanos * growth)));
    }
}
