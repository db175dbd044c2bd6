package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay's cloud latency spread ({@link ReplaySimulator#withCloudLatencySpread}): off by default; when on, each
 * job's cloud task takes the assumed latency times a reproducible log-normal draw of median 1, and whether a job
 * sent to the cloud, at once or as a hedge's rescue, meets its deadline follows the draw, worked out here from the
 * factors independently of the simulator.
 */
class CloudLatencySpreadReplayTest {

    private static final Instant T0 = Instant.parse("2026-10-05T00:00:00Z");

    private static ReplayCatalog catalog() throws Exception {
        return OfflineBoundTest.catalog(1);
    }

    private static TraceJob clip(Instant arrival, Duration deadline) {
        return new TraceJob(arrival, "t2v", 832, 480, 5, false, deadline, "t");
    }

    @Test
    void offByDefaultAndDrawnReproduciblyAroundTheAssumedLatencyWhenOn() throws Exception {
        ReplaySimulator plain = new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC);
        assertThat(plain.cloudLatencySpread()).isZero();
        assertThat(plain.cloudLatencyFactors(500)).containsOnly(1.0);

        double[] f = plain.withCloudLatencySpread(0.5).cloudLatencyFactors(4001);
        assertThat(new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC).withCloudLatencySpread(0.5)
                .cloudLatencyFactors(4001)).as("same seed, same draws").containsExactly(f);
        assertThat(new ReplaySimulator(catalog(), 1, 43, 0.3, ZoneOffset.UTC).withCloudLatencySpread(0.5)
                .cloudLatencyFactors(4001)).as("another seed, other draws").isNotEqualTo(f);
        double[] sorted = f.clone();
        Arrays.sort(sorted);
        assertThat(sorted[2000]).as("median").isBetween(0.95, 1.05);
        double mean = Arrays.stream(f).map(Math::log).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(f).map(x -> (Math.log(x) - mean) * (Math.log(x) - mean)).sum() / f.length);
        assertThat(sd).as("sigma of the log").isBetween(0.47, 0.53);
        assertThat(plain.withCloudLatencySpread(0.5).runFactors(100)).as("run times untouched")
                .containsExactly(plain.runFactors(100));
        assertThatThrownBy(() -> plain.withCloudLatencySpread(-0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSpreadOfZeroReplaysExactlyAsWithout() throws Exception {
        ReplaySimulator plain = new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC);
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            trace.add(clip(T0.plus(Duration.ofMinutes(7 * i)), Duration.ofSeconds(200 + 37L * (i % 9))));
        }
        assertThat(plain.withCloudLatencySpread(0).run(trace, RouterPolicy.hedged()))
                .isEqualTo(plain.run(trace, RouterPolicy.hedged()));
        assertThat(plain.withCloudLatencySpread(0).run(trace, new RouterPolicy()))
                .isEqualTo(plain.run(trace, new RouterPolicy()));
    }

    @Test
    void aJobSentToTheCloudAtOnceIsLateExactlyWhenItsDrawOutrunsItsSlack() throws Exception {
        ReplayCatalog catalog = catalog();
        ReplayCatalog.CloudOption cloud = catalog.cheapestCloud(clip(T0, Duration.ofHours(1))).orElseThrow();
        double latency = cloud.latency().toMillis() / 1000.0;
        long deadline = (long) Math.floor(latency * 1.2);
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            trace.add(clip(T0.plusSeconds(60 + 600L * i), Duration.ofSeconds(deadline)));
        }
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC).withCloudLatencySpread(0.5);
        double[] f = sim.cloudLatencyFactors(trace.size());
        long inTime = Arrays.stream(f).filter(x -> latency * x <= deadline).count();

        ReplayOutcome out = sim.allCloud(trace);

        assertThat(inTime).isPositive().isLessThan(trace.size());
        assertThat(out.deadlineHits()).isEqualTo((int) inTime);
        assertThat(new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC).allCloud(trace).deadlineHits())
                .as("without the spread every job makes it").isEqualTo(trace.size());
        assertThat(out.total()).as("waiting costs nothing").isEqualTo(
                new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC).allCloud(trace).total());
    }

    @Test
    void aHedgedJobRescuedIntoASlowDrawIsCountedLate() throws Exception {
        ReplayCatalog catalog = catalog();
        TraceJob probe = clip(T0, Duration.ofHours(1));
        ReplayCatalog.LocalOption local = catalog.localOptions(probe).getFirst();
        double latency = catalog.cheapestCloud(probe).orElseThrow().latency().toMillis() / 1000.0;
        long deadline = (long) Math.ceil(latency + 10);
        // A long job takes the one GPU; every other job waits behind it past its hedge point (10 s after arrival,
        // the assumed latency before its deadline) and is rescued then, with exactly the assumed latency left.
        int n = 60;
        List<TraceJob> trace = new ArrayList<>();
        trace.add(clip(T0.plusSeconds(60), Duration.ofHours(6)));
        for (int i = 1; i <= n; i++) {
            trace.add(clip(T0.plusSeconds(61).plusMillis(i), Duration.ofSeconds(deadline)));
        }
        ReplayPolicy policy = (job, view) -> new ReplayPolicy.Decision("local", local.model(),
                view.id() == 0 ? "cheapest" : "hedged", view.id() == 0 ? Double.NaN : view.clock() + deadline - latency);
        ReplaySimulator exact = new ReplaySimulator(catalog, 1, 11, 0.0, ZoneOffset.UTC);
        ReplaySimulator spread = exact.withCloudLatencySpread(0.25);
        double[] f = spread.cloudLatencyFactors(trace.size());
        long fast = Arrays.stream(f, 1, n + 1).filter(x -> x <= 1).count();

        ReplayOutcome without = exact.run(trace, policy);
        ReplayOutcome with = spread.run(trace, policy);

        assertThat(local.gpuSeconds()).as("the long job outlasts every hedge point").isGreaterThan(11);
        assertThat(without.localJobs()).isEqualTo(1);
        assertThat(without.deadlineHits()).as("the assumed latency: every rescue in time").isEqualTo(n + 1);
        assertThat(fast).isPositive().isLessThan(n);
        assertThat(with.localJobs()).isEqualTo(1);
        assertThat(with.deadlineHits()).as("a rescue slower than assumed is late").isEqualTo((int) fast + 1);
        assertThat(with.total()).isEqualTo(without.total());
    }
}
