package dev.wanhybrid.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers how long recent cloud tasks took, from submission to a finished video, so the router can estimate
 * cloud latency from observations instead of the catalog's typical figure. Observations come from
 * {@link #record} and, when a {@link Source} is given, from finished jobs in the job store (so every instance
 * learns from every other); both are bounded in age.
 *
 * <p>Every routing decision takes a snapshot, so nothing here holds a lock: observations sit in a concurrent
 * deque, and the job store is read by at most one caller at a time, outside any monitor, while the others use the
 * previous read.
 */
public class CloudLatencyTracker {

    /** Finished cloud tasks since an instant, read from somewhere durable. */
    @FunctionalInterface
    public interface Source {
        List<LatencyObservations.Observation> finishedSince(Instant since);
    }

    /** One read of the source: what it returned and when. */
    private record SourceRead(Instant readAt, List<LatencyObservations.Observation> observations) {}

    /** No read of the source yet (another caller is making the first). */
    private static final SourceRead EMPTY_READ = new SourceRead(Instant.EPOCH, List.of());

    /**
     * The last snapshot made: after how many records, from which read of the source, and its oldest observation
     * (null when empty).
     */
    private record Snapshot(long version, SourceRead read, Instant oldest, LatencyObservations observations) {}

    private final Clock clock;
    private final Duration window;
    private final int minimumCount;
    private final int capacity;
    private final Source source;
    private final Duration refreshEvery;
    private final ConcurrentLinkedDeque<LatencyObservations.Observation> recent = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recentCount = new AtomicInteger();
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile SourceRead lastRead;
    private final AtomicLong recorded = new AtomicLong();
    private volatile Snapshot lastSnapshot;

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
    public void record(String model, Duration took, int seconds) {
        recent.addLast(new LatencyObservations.Observation(clock.instant(), model, took, seconds));
        if (recentCount.incrementAndGet() > capacity && recent.pollFirst() != null) {
            recentCount.decrementAndGet();
        }
        recorded.incrementAndGet();
    }

    /**
     * The observations still inside the window. A snapshot is reused while nothing was recorded since, the source
     * was not read again and none of its observations has left the window, so that the decisions between two
     * changes share one (each decision asks for one; building it copies and groups every observation).
     */
    public LatencyObservations snapshot() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(window);
        for (var oldest = recent.peekFirst(); oldest != null && oldest.finishedAt().isBefore(cutoff);
                oldest = recent.peekFirst()) {
            if (recent.remove(oldest)) {
                recentCount.decrementAndGet();
            }
        }
        long version = recorded.get();
        SourceRead read = source == null ? null : fromSource(now, cutoff);
        Snapshot last = lastSnapshot;
        if (last != null && last.version() == version && last.read() == read
                && (last.oldest() == null || !last.oldest().isBefore(cutoff))) {
            return last.observations();
        }
        var all = new ArrayList<>(recent);
        all.removeIf(o -> o.finishedAt().isBefore(cutoff));
        if (read != null) {
            read.observations().stream().filter(o -> !o.finishedAt().isBefore(cutoff)).forEach(all::add);
        }
        LatencyObservations observations = LatencyObservations.of(all, window, minimumCount);
        lastSnapshot = new Snapshot(version, read, observations.oldest().orElse(null), observations);
        return observations;
    }

    /** The last read of the source, read again first when it is due and no other caller is reading it. */
    private SourceRead fromSource(Instant now, Instant cutoff) {
        SourceRead read = lastRead;
        boolean due = read == null || !now.isBefore(read.readAt().plus(refreshEvery));
        if (due && reading.compareAndSet(false, true)) {
            try {
                read = new SourceRead(now, List.copyOf(source.finishedSince(cutoff)));
            } catch (RuntimeException e) {
                // Estimates fall back to the catalog's figures; routing must not fail for want of history.
                read = new SourceRead(now, List.of());
            } finally {
                reading.set(false);
            }
            lastRead = read;
        }
        return read == null ? EMPTY_READ : read;
    }
}
