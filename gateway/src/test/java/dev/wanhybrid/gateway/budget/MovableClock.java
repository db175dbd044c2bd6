package dev.wanhybrid.gateway.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock plus an offset that tests only move forward, so leases and polls keep working while a budget
 * period or a deadline passes at once. One instance may outlive a gateway: a restarted one reads the same time.
 */
final class MovableClock extends Clock {

    private final AtomicReference<Duration> offset;
    private final ZoneId zone;

    MovableClock() {
        this(new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
    }

    private MovableClock(AtomicReference<Duration> offset, ZoneId zone) {
        this.offset = offset;
        this.zone = zone;
    }

    /** Moves to {@code at}, or stays where it is when that is earlier. */
    void moveTo(Instant at) {
        Duration to = Duration.between(Instant.now(), at);
        offset.accumulateAndGet(to, (now, wanted) -> wanted.compareTo(now) > 0 ? wanted : now);
    }

    void advance(Duration by) {
        offset.accumulateAndGet(by, Duration::plus);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId other) {
        return new MovableClock(offset, other);
    }
}
