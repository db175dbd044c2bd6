package dev.wanhybrid.gateway.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recent end-to-end times of finished cloud tasks, normalised per second of output, from which the router
 * estimates cloud latency once it has enough of them.
 *
 * <p>The observations are grouped by model when the snapshot is made, with each model's median over all of them,
 * so a decision's estimate for a model whose observations all lie inside the window reads that median, and one
 * that straddles the window's edge sorts only that model's observations (the router asks for every capable cloud
 * model of every decision, and a snapshot serves many decisions). Immutable.
 */
public final class LatencyObservations {

    /** One finished task: when it finished, which model, how long it took and how many seconds it produced. */
    public record Observation(Instant finishedAt, String model, Duration took, int seconds) {}

    public static final LatencyObservations NONE = new LatencyObservations(List.of(), Duration.ofMinutes(30), 3);

    private final List<Observation> observations;
    private final Duration window;
    private final int minimumCount;
    private final Map<String, OfModel> byModel;

    /** One model's observations, the first and last finish among them, and their median per output second. */
    private record OfModel(List<Observation> observations, Instant first, Instant last, Duration median) {

        static OfModel of(List<Observation> observations) {
            Instant first = observations.getFirst().finishedAt();
            Instant last = first;
            for (Observation o : observations) {
                first = o.finishedAt().isBefore(first) ? o.finishedAt() : first;
                last = o.finishedAt().isAfter(last) ? o.finishedAt() : last;
            }
            long[] perSecond = observations.stream().mapToLong(LatencyObservations::perSecondMillis).toArray();
            return new OfModel(List.copyOf(observations), first, last,
                    LatencyObservations.median(perSecond, perSecond.length));
        }
    }

    private LatencyObservations(List<Observation> observations, Duration window, int minimumCount) {
        this.observations = List.copyOf(observations);
        this.window = window;
        this.minimumCount = minimumCount;
        Map<String, List<Observation>> grouped = new HashMap<>();
        for (Observation o : this.observations) {
            grouped.computeIfAbsent(o.model(), m -> new ArrayList<>()).add(o);
        }
        Map<String, OfModel> models = new HashMap<>();
        grouped.forEach((model, list) -> models.put(model, OfModel.of(list)));
        this.byModel = Map.copyOf(models);
    }

    public static LatencyObservations of(Collection<Observation> observations, Duration window, int minimumCount) {
        return new LatencyObservations(new ArrayList<>(observations), window, minimumCount);
    }

    /** Every observation of the snapshot, in the order given. */
    public List<Observation> observations() {
        return observations;
    }

    /** How far back an observation counts. */
    public Duration window() {
        return window;
    }

    /** How many observations of a model it takes before their median replaces the catalog's figure. */
    public int minimumCount() {
        return minimumCount;
    }

    /** The oldest finish among the observations, or empty when there are none. */
    Optional<Instant> oldest() {
        return observations.stream().map(Observation::finishedAt).min(Instant::compareTo);
    }

    /**
     * The median time per output second of this model's tasks that finished within the window before
     * {@code now}, or empty when there are fewer than {@code minimumCount}.
     */
    public Optional<Duration> medianPerSecond(String model, Instant now) {
        OfModel ofModel = byModel.get(model);
        if (ofModel == null || ofModel.observations().size() < Math.max(1, minimumCount)) {
            return Optional.empty();
        }
        Instant since = now.minus(window);
        if (!ofModel.first().isBefore(since) && !ofModel.last().isAfter(now)) {
            return Optional.of(ofModel.median());
        }
        long[] perSecond = new long[ofModel.observations().size()];
        int n = 0;
        for (Observation o : ofModel.observations()) {
            if (!o.finishedAt().isBefore(since) && !o.finishedAt().isAfter(now)) {
                perSecond[n++] = perSecondMillis(o);
            }
        }
        if (n < minimumCount || n == 0) {
            return Optional.empty();
        }
        return Optional.of(median(perSecond, n));
    }

    private static long perSecondMillis(Observation o) {
        return o.took().toMillis() / Math.max(1, o.seconds());
    }

    /** The median of the first {@code n} values (sorts them in place); the mean of the middle two when even. */
    private static Duration median(long[] values, int n) {
        Arrays.sort(values, 0, n);
        return Duration.ofMillis(n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
    }

    @Override
    public String toString() {
        return "LatencyObservations[" + observations.size() + " observations, window " + window + ", minimum "
                + minimumCount + "]";
    }
}
