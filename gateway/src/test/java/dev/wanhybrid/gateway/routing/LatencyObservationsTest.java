package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.routing.LatencyObservations.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyObservationsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T05:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(30);

    private static Observation finished(long minutesAgo, String model, long tookSeconds, int seconds) {
        return new Observation(NOW.minus(Duration.ofMinutes(minutesAgo)), model, Duration.ofSeconds(tookSeconds),
                seconds);
    }

    @Test
    void theMedianPerOutputSecondOfOneModelsTasksInsideTheWindow() {
        LatencyObservations observations = LatencyObservations.of(List.of(
                finished(1, "a", 50, 5), finished(2, "a", 100, 5), finished(3, "a", 300, 5),
                finished(1, "b", 1000, 1), finished(2, "b", 2000, 1), finished(3, "b", 3000, 1)), WINDOW, 3);

        assertThat(observations.medianPerSecond("a", NOW)).contains(Duration.ofSeconds(20));
        assertThat(observations.medianPerSecond("b", NOW)).contains(Duration.ofSeconds(2000));
        assertThat(observations.medianPerSecond("c", NOW)).isEmpty();
    }

    @Test
    void tasksOutsideTheWindowAtTheTimeAskedDoNotCount() {
        // Four tasks of one model, one of them 40 minutes old: asked now, three count (median 20 s per second).
        LatencyObservations observations = LatencyObservations.of(List.of(
                finished(40, "a", 5000, 5), finished(1, "a", 50, 5), finished(2, "a", 100, 5),
                finished(3, "a", 300, 5)), WINDOW, 3);
        assertThat(observations.medianPerSecond("a", NOW)).contains(Duration.ofSeconds(20));
        // Asked as of 39 minutes ago, only the old one and none of the others (they had not finished) lie inside.
        assertThat(observations.medianPerSecond("a", NOW.minus(Duration.ofMinutes(39)))).isEmpty();
        // Asked 27 minutes from now, the three recent ones still count and the old one does not.
        assertThat(observations.medianPerSecond("a", NOW.plus(Duration.ofMinutes(27)))).contains(Duration.ofSeconds(20));
    }

    @Test
    void anEvenCountTakesTheMeanOfTheMiddleTwoAndTooFewGiveNone() {
        LatencyObservations four = LatencyObservations.of(List.of(finished(1, "a", 10, 1), finished(2, "a", 20, 1),
                finished(3, "a", 30, 1), finished(4, "a", 40, 1)), WINDOW, 3);
        assertThat(four.medianPerSecond("a", NOW)).contains(Duration.ofSeconds(25));

        LatencyObservations two = LatencyObservations.of(List.of(finished(1, "a", 10, 1), finished(2, "a", 20, 1)),
                WINDOW, 3);
        assertThat(two.medianPerSecond("a", NOW)).isEmpty();
    }
}
