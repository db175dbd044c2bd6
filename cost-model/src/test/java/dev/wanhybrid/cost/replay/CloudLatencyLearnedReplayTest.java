package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Policies that plan on the cloud latency they learnt ({@link ReplaySimulator#withLearnedCloudLatency}), as the
 * gateway's {@code CloudLatencyTracker} does: the latency a policy is shown is the catalog's times the median draw of
 * the cloud tasks that finished in the window (once there are 3), worked out here from the draws independently of
 * the simulator; without a spread learning changes nothing.
 */
class CloudLatencyLearnedReplayTest {

    private static final Instant T0 = Instant.parse("2026-10-05T00:00:00Z");

    private static TraceJob clip(Instant arrival) {
        return new TraceJob(arrival, "t2v", 832, 480, 5, false, Duration.ofHours(2), "t");
    }

    /** Sends everything to the cloud and keeps the latency each job was shown. */
    private static final class Shown implements ReplayPolicy {
        final List<Double> seconds = new ArrayList<>();

        @Override
        public String name() {
            return "shown";
        }

        @Override
        public Decision decide(TraceJob job, View view) {
            seconds.add(view.cloud().orElseThrow().latency().toMillis() / 1000.0);
            return new Decision("cloud", view.cloud().orElseThrow().model(), "test");
        }
    }

    @Test
    void theLatencyShownIsTheCatalogsTimesTheMedianDrawOfTasksFinishedInTheWindow() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            trace.add(clip(T0.plusSeconds(90L * i + (i % 7) * 11)));
        }
        double latency = catalog.cheapestCloud(trace.getFirst()).orElseThrow().latency().toMillis() / 1000.0;
        Duration window = Duration.ofMinutes(20);
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 11, 0.0, ZoneOffset.UTC).withCloudLatencySpread(0.5)
                .withLearnedCloudLatency(window);
        double[] f = sim.cloudLatencyFactors(trace.size());
        Shown shown = new Shown();
        sim.run(trace, shown);

        int learnt = 0;
        for (int k = 0; k < trace.size(); k++) {
            double now = Duration.between(T0, trace.get(k).arrival()).toMillis() / 1000.0;
            List<Double> inWindow = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                double sent = Duration.between(T0, trace.get(j).arrival()).toMillis() / 1000.0;
                double finished = sent + latency * f[j];
                if (finished <= now && finished >= now - window.toSeconds()) {
                    inWindow.add(f[j]);
                }
            }
            double expected = latency;
            if (inWindow.size() >= 3) {
                double[] s = inWindow.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                int n = s.length;
                expected = latency * (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
                learnt++;
            }
            assertThat(shown.seconds.get(k)).as("job %d", k).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(0.001));
        }
        assertThat(learnt).as("jobs shown a learnt latency").isGreaterThan(250);
        assertThat(shown.seconds.stream().distinct().count()).isGreaterThan(100);
    }

    @Test
    void withoutASpreadLearningChangesNothing() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            trace.add(new TraceJob(T0.plus(Duration.ofMinutes(7 * i)), "t2v", 832, 480, 5, false,
                    Duration.ofSeconds(200 + 37L * (i % 9)), "t"));
        }
        ReplaySimulator plain = new ReplaySimulator(catalog, 1, 42, 0.3, ZoneOffset.UTC);
        ReplaySimulator learning = plain.withLearnedCloudLatency(Duration.ofMinutes(30));
        assertThat(learning.run(trace, RouterPolicy.hedged())).isEqualTo(plain.run(trace, RouterPolicy.hedged()));
        assertThat(learning.run(trace, new RouterPolicy())).isEqualTo(plain.run(trace, new RouterPolicy()));
        assertThat(Arrays.stream(learning.withCloudLatencySpread(0.5).cloudLatencyFactors(10)).distinct().count())
                .as("the spread is kept with learning").isEqualTo(10);
    }
}
