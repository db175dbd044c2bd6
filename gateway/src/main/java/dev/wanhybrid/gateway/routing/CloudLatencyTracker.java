package dev.wanhybrid.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Remembers how long recent cloud tasks took, from submission to a finished video, so the router can estimate
 * cloud latency from observations instead of the catalog's typical figure. Bounded in size and age.
 */
public class CloudLatencyTracker {

    private final Clock clock;
    private final Duration window;
    private final int minimumCount;
    private final int capacity;
    private final Deque<LatencyObservations.Observation> recent = new ArrayDeque<>();

    public CloudLatencyTracker(Clock clock, Duration window, int minimumCount, int capacity) {
        this.clock = clock;
        this.window = window;
        this.minimumCount = minimumCount;
        this.capacity = capacity;
    }

    /** Records one finished cloud task of {@code seconds} output seconds that took {@code took} end to end. */
    public synchronized void record(String model, Duration took, int seconds) {
        recent.addLast(new LatencyObservations.Observation(clock.instant(), model, took, seconds));
        while (recent.size() > capacity) {
            recent.removeFirst();
        }
    }

    /** The observations still inside the window. */
    public synchronized LatencyObservations snapshot() {
        Instant cutoff = clock.instant().minus(window);
        recent.removeIf(o -> o.finishedAt().isBefore(cutoff));
        return LatencyObservations.of(recent, window, minimumCount);
    }
}
