package dev.wanhybrid.gateway.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Recent end-to-end times of finished cloud tasks, normalised per second of output, from which the router
 * estimates cloud latency once it has enough of them.
 */
public record LatencyObservations(List<Observation> observations, Duration window, int minimumCount) {

    /** One finished task: when it finished, which model, how long it took and how many seconds it produced. */
    public record Observation(Instant finishedAt, String model, Duration took, int seconds) {}

    public static final LatencyObservations NONE = new LatencyObservations(List.of(), Duration.ofMinutes(30), 3);

    public LatencyObservations {
        observations = List.copyOf(observations);
    }

    public static LatencyObservations of(Collection<Observation> observations, Duration window, int minimumCount) {
        return new LatencyObservations(new ArrayList<>(observations), window, minimumCount);
    }

    /**
     * The median time per output second of this model's tasks that finished within the window before
     * {@code now}, or empty when there are fewer than {@code minimumCount}.
     */
    public Optional<Duration> medianPerSecond(String model, Instant now) {
        Instant since = now.minus(window);
        List<Long> perSecondMillis = observations.stream()
                .filter(o -> o.model().equals(model) && !o.finishedAt().isBefore(since) && !o.finishedAt().isAfter(now))
                .map(o -> o.took().toMillis() / Math.max(1, o.seconds()))
                .sorted()
                .toList();
        if (perSecondMillis.size() < minimumCount || perSecondMillis.isEmpty()) {
            return Optional.empty();
        }
        int n = perSecondMillis.size();
        long median = n % 2 == 1 ? perSecondMillis.get(n / 2)
                : (perSecondMillis.get(n / 2 - 1) + perSecondMillis.get(n / 2)) / 2;
        return Optional.of(Duration.ofMillis(median));
    }
}
