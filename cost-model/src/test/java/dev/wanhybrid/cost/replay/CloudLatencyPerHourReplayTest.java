package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.replay.ReplaySimulator.CloudLatencyDraw;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay's cloud latency drawn per hour ({@link ReplaySimulator#withCloudLatencySpread(double, CloudLatencyDraw)}):
 * one reproducible log-normal factor per hour of the trace, shared by every cloud task sent in that hour, the hour
 * of a rescue being its hedge point's; worked out here from the hour factors independently of the simulator.
 */
class CloudLatencyPerHourReplayTest {

    private static final Instant T0 = Instant.parse("2026-10-05T00:00:00Z");

    private static ReplayCatalog catalog() throws Exception {
        return OfflineBoundTest.catalog(1);
    }

    private static TraceJob clip(Instant arrival, Duration deadline) {
        return new TraceJob(arrival, "t2v", 832, 480, 5, false, deadline, "t");
    }

    @Test
    void hourFactorsAreReproduciblePerSeedAndSpreadAroundOne() throws Exception {
        ReplaySimulator plain = new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC);
        assertThat(plain.cloudLatencyDraw()).isEqualTo(CloudLatencyDraw.PER_JOB);
        assertThat(plain.cloudLatencyHourFactors(100)).as("off: no draw").containsOnly(1.0);
        assertThat(plain.withCloudLatencySpread(0.5).cloudLatencyDraw()).as("the old call draws per job")
                .isEqualTo(CloudLatencyDraw.PER_JOB);

        ReplaySimulator hourly = plain.withCloudLatencySpread(0.5, CloudLatencyDraw.PER_HOUR);
        assertThat(hourly.cloudLatencyDraw()).isEqualTo(CloudLatencyDraw.PER_HOUR);
        double[] f = hourly.cloudLatencyHourFactors(4001);
        assertThat(new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC)
                .withCloudLatencySpread(0.5, CloudLatencyDraw.PER_HOUR).cloudLatencyHourFactors(4001))
                .as("same seed, same draws").containsExactly(f);
        assertThat(new ReplaySimulator(catalog(), 1, 43, 0.3, ZoneOffset.UTC)
                .withCloudLatencySpread(0.5, CloudLatencyDraw.PER_HOUR).cloudLatencyHourFactors(4001))
                .as("another seed, other draws").isNotEqualTo(f);
        assertThat(hourly.cloudLatencyHourFactors(10)).as("a shorter list is a prefix")
                .containsExactly(Arrays.copyOf(f, 10));
        assertThat(Arrays.stream(f).distinct().count()).as("hours differ").isEqualTo(f.length);
        assertThat(Arrays.copyOf(f, 100)).as("a stream apart from the per-job draws")
                .isNotEqualTo(hourly.cloudLatencyFactors(100));
        double[] sorted = f.clone();
        Arrays.sort(sorted);
        assertThat(sorted[2000]).as("median").isBetween(0.95, 1.05);
        double mean = Arrays.stream(f).map(Math::log).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(f).map(x -> (Math.log(x) - mean) * (Math.log(x) - mean)).sum() / f.length);
        assertThat(sd).as("sigma of the log").isBetween(0.47, 0.53);
        assertThat(hourly.runFactors(100)).as("run times untouched").containsExactly(plain.runFactors(100));
    }

    @Test
    void aSpreadOfZeroPerHourReplaysExactlyAsWithout() throws Exception {
        ReplaySimulator plain = new ReplaySimulator(catalog(), 1, 42, 0.3, ZoneOffset.UTC);
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            trace.add(clip(T0.plus(Duration.ofMinutes(7 * i)), Duration.ofSeconds(200 + 37L * (i % 9))));
        }
        ReplaySimulator zero = plain.withCloudLatencySpread(0, CloudLatencyDraw.PER_HOUR);
        assertThat(zero.run(trace, RouterPolicy.hedged())).isEqualTo(plain.run(trace, RouterPolicy.hedged()));
        assertThat(zero.run(trace, new RouterPolicy())).isEqualTo(plain.run(trace, new RouterPolicy()));
    }

    @Test
    void jobsSentToTheCloudInTheSameHourShareTheirHoursDraw() throws Exception {
        ReplayCatalog catalog = catalog();
        double latency = catalog.cheapestCloud(clip(T0, Duration.ofHours(1))).orElseThrow().latency().toMillis()
                / 1000.0;
        long deadline = (long) Math.floor(latency * 1.2);
        int hours = 120;
        List<TraceJob> trace = new ArrayList<>();
        for (int h = 0; h < hours; h++) {
            for (int m : new int[] {0, 17, 59}) {
                trace.add(clip(T0.plus(Duration.ofHours(h)).plus(Duration.ofMinutes(m)).plusSeconds(30),
                        Duration.ofSeconds(deadline)));
            }
        }
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC)
                .withCloudLatencySpread(0.5, CloudLatencyDraw.PER_HOUR);
        double[] f = sim.cloudLatencyHourFactors(hours);
        long hoursInTime = Arrays.stream(f).filter(x -> latency * x <= deadline).count();
        double[] perJob = sim.cloudLatencyFactors(trace.size());
        long perJobInTime = Arrays.stream(perJob).filter(x -> latency * x <= deadline).count();

        ReplayOutcome out = sim.allCloud(trace);

        assertThat(hoursInTime).isPositive().isLessThan(hours);
        assertThat(out.deadlineHits()).as("an hour's three jobs are in time or late together")
                .isEqualTo(3 * (int) hoursInTime);
        assertThat(perJobInTime).as("the per-job draws would count otherwise").isNotEqualTo(3 * hoursInTime);
        assertThat(new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC)
                .withCloudLatencySpread(0.5, CloudLatencyDraw.PER_JOB).allCloud(trace).deadlineHits())
                .isEqualTo((int) perJobInTime);
        assertThat(out.total()).as("waiting costs nothing").isEqualTo(
                new ReplaySimulator(catalog, 1, 7, 0.0, ZoneOffset.UTC).allCloud(trace).total());
    }

    @Test
    void aRescueTakesTheDrawOfItsHedgePointsHourNotItsArrivals() throws Exception {
        ReplayCatalog catalog = catalog();
        TraceJob probe = clip(T0, Duration.ofHours(1));
        ReplayCatalog.LocalOption local = catalog.localOptions(probe).getFirst();
        double latency = catalog.cheapestCloud(probe).orElseThrow().latency().toMillis() / 1000.0;
        long deadline = (long) Math.ceil(latency + 10);
        // Each hour, 6 s before it ends, a job with hours to spare takes the one GPU; 1 to 3 jobs (by the hour) arrive
        // 1 s later, wait behind it past their hedge point (10 s after arrival: 5 s into the next hour, the assumed
        // latency before their deadline) and are rescued then, with exactly the assumed latency left.
        int hours = 96;
        int[] rescued = new int[hours];
        List<TraceJob> trace = new ArrayList<>();
        for (int h = 0; h < hours; h++) {
            Instant hourEnd = T0.plus(Duration.ofHours(h + 1));
            trace.add(clip(hourEnd.minusSeconds(6), Duration.ofHours(6)));
            rescued[h] = 1 + h % 3;
            for (int k = 0; k < rescued[h]; k++) {
                trace.add(clip(hourEnd.minusSeconds(5).plusMillis(k), Duration.ofSeconds(deadline)));
            }
        }
        int jobs = trace.size();
        ReplayPolicy policy = (job, view) -> job.deadline().compareTo(Duration.ofHours(1)) > 0
                ? new ReplayPolicy.Decision("local", local.model(), "cheapest")
                : new ReplayPolicy.Decision("local", local.model(), "hedged", view.clock() + deadline - latency);
        ReplaySimulator exact = new ReplaySimulator(catalog, 1, 11, 0.0, ZoneOffset.UTC);
        ReplaySimulator hourly = exact.withCloudLatencySpread(0.25, CloudLatencyDraw.PER_HOUR);
        double[] f = hourly.cloudLatencyHourFactors(hours + 1);
        int fastAtHedgePoint = 0;
        int fastAtArrival = 0;
        for (int h = 0; h < hours; h++) {
            fastAtHedgePoint += f[h + 1] <= 1 ? rescued[h] : 0;
            fastAtArrival += f[h] <= 1 ? rescued[h] : 0;
        }

        ReplayOutcome without = exact.run(trace, policy);
        ReplayOutcome with = hourly.run(trace, policy);

        assertThat(local.gpuSeconds()).as("each long job outlasts the hedge point after it").isGreaterThan(11)
                .isLessThan(3000);
        assertThat(without.localJobs()).isEqualTo(hours);
        assertThat(without.deadlineHits()).as("the assumed latency: every rescue in time").isEqualTo(jobs);
        assertThat(fastAtHedgePoint).isPositive().isLessThan(jobs - hours).isNotEqualTo(fastAtArrival);
        assertThat(with.localJobs()).isEqualTo(hours);
        assertThat(with.deadlineHits()).as("a rescue is late exactly when its hedge point's hour is slow")
                .isEqualTo(hours + fastAtHedgePoint);
        assertThat(with.total()).isEqualTo(without.total());
    }
}
