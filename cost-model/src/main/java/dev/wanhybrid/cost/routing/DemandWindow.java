package dev.wanhybrid.cost.routing;

import java.util.ArrayDeque;

/**
 * The local work that arrived recently, with what each job saves per GPU-second against the cloud: the shadow
 * price reads from it how much better-paying work to expect while a GPU is taken.
 *
 * <p>Not thread-safe: its owner serialises access, as for {@link LocalSchedule}.
 */
public final class DemandWindow {

    /** The default window: the last two hours of arrivals. */
    public static final double DEFAULT_WINDOW_SECONDS = 7200;

    /** The default cap on remembered arrivals, so a burst cannot make a decision slow. */
    public static final int DEFAULT_MAX_ARRIVALS = 4096;

    private record Arrival(double at, double density, double gpuSeconds) {}

    /**
     * Work arriving above a density.
     *
     * @param gpus GPU-seconds of such work arriving per second: how many GPUs it keeps busy
     * @param meanDensity its saving per GPU-second, weighted by GPU-seconds; 0 when there is none
     */
    public record Above(double gpus, double meanDensity) {}

    private final double windowSeconds;
    private final int maxArrivals;
    private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();

    public DemandWindow() {
        this(DEFAULT_WINDOW_SECONDS, DEFAULT_MAX_ARRIVALS);
    }

    public DemandWindow(double windowSeconds, int maxArrivals) {
        if (!(windowSeconds > 0) || maxArrivals <= 0) {
            throw new IllegalArgumentException("window and arrivals must be positive");
        }
        this.windowSeconds = windowSeconds;
        this.maxArrivals = maxArrivals;
    }

    /** Records a job that could run locally, with its saving per GPU-second and its GPU-seconds. */
    public void record(double now, double density, double gpuSeconds) {
        evict(now);
        if (arrivals.size() == maxArrivals) {
            arrivals.pollFirst();
        }
        arrivals.addLast(new Arrival(now, density, gpuSeconds));
    }

    /** The work that arrived in the window and pays more per GPU-second than {@code density}. */
    public Above above(double now, double density) {
        evict(now);
        double work = 0;
        double weighted = 0;
        for (Arrival a : arrivals) {
            if (a.density() > density) {
                work += a.gpuSeconds();
                weighted += a.gpuSeconds() * a.density();
            }
        }
        return work == 0 ? new Above(0, 0) : new Above(work / windowSeconds, weighted / work);
    }

    public int size() {
        return arrivals.size();
    }

    private void evict(double now) {
        while (!arrivals.isEmpty() && arrivals.peekFirst().at() < now - windowSeconds) {
            arrivals.pollFirst();
        }
    }
}
