package dev.wanhybrid.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Remembers how long recent cloud tasks took, from submission to a finished video, so the router can estimate
 * cloud latency from observations instead of the catalog's typical figure. Observations come from
 * {@link #record} and, when a {@link Source} is given, from finished jobs in the job store (so every instance
 * learns from every other); both are bounded in age.
 */
public class CloudLatencyTracker {

    /** Finished cloud tasks since an instant, read from somewhere durable. */
    @FunctionalInterface
    public interface Source {
        List<LatencyObservations.Observation> finishedSince(Instant since);
    }

    private final Clock clock;
    private final Duration window;
    private final int minimumCount;
    private final int capacity;
    private final Source source;
    private final Duration refreshEvery;
    private final Deque<LatencyObservations.Observation> recent = new ArrayDeque<>();
    private List<LatencyObservations.Observation> fromSource = List.of();
    private Instant sourceReadAt;

    public CloudLatencyTracker(Clock clock, Duration window, int minimumCount, int capacity) {
        this(clock, window, minimumCount, capacity, null, Duration.ofSeconds(30));
    }

    /**
     * @param source finished jobs from the job store, or {@code null}
     * @param refreshEvery how long a read of the source is reused
     */
    public CloudLatencyTracker(Clock clock, Duration window, int minimumCount, int capacity, Source source,
            Duration refreshEvery) {
        this.clock = clock;
        this.window = window;
        this.minimumCount = minimumCount;
        this.capacity = capacity;
        this.source = source;
        this.refreshEvery = refreshEvery;
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
        Instant now = clock.instant();
        Instant cutoff = now.minus(window);
        recent.removeIf(o -> o.finishedAt().isBefore(cutoff));
        var all = new ArrayList<>(recent);
        if (source != null) {
            if (sourceReadAt == null || !now.isBefore(sourceReadAt.plus(refreshEvery))) {
                try {
                    fromSource = List.copyOf(source.finishedSince(cutoff));
                } catch (RuntimeException e) {
                    // Estimates fall back to the catalog's figures; routing must not fail for want of history.
                    fromSource = List.of();
                }
                sourceReadAt = now;
            }
            all.addAll(fromSource);
        }
        return LatencyObservations.of(all, window, minimumCount);
    }
}
