package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay carries out hedges: a hedged local job whose run would end after its deadline leaves for the cloud at
 * its hedge point (deadline minus the cloud's latency), charged the GPU time it used and the cloud's price, and
 * meets its deadline; one that ends in time stays local. The expected figures are worked out here from the run
 * factors, independently of the simulator.
 */
class HedgeReplayTest {

    private static final Instant T0 = Instant.parse("2026-10-05T00:00:00Z");

    /** One GPU, and the local and cloud ways to make a silent 5 s 480p clip. */
    private static final class Fixture {
        final ReplayCatalog catalog;
        final ReplayCatalog.LocalOption local;
        final ReplayCatalog.CloudOption cloud;

        Fixture() throws Exception {
            catalog = OfflineBoundTest.catalog(1);
            TraceJob probe = new TraceJob(T0, "t2v", 832, 480, 5, false, Duration.ofHours(1), "t");
            local = catalog.localOptions(probe).getFirst();
            cloud = catalog.cheapestCloud(probe).orElseThrow();
        }

        double latency() {
            return cloud.latency().toMillis() / 1000.0;
        }
    }

    @Test
    void aHedgedRunThatWouldBeLateMovesToTheCloudAtItsHedgePointAndMeetsItsDeadline() throws Exception {
        Fixture x = new Fixture();
        double expected = x.local.gpuSeconds();
        double latency = x.latency();
        // Due 10 % after the expected run, and never before the cloud could make it from the arrival.
        long deadline = (long) Math.ceil(Math.max(expected * 1.1, latency + 1));
        List<TraceJob> trace = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            trace.add(new TraceJob(T0.plus(Duration.ofHours(i)).plusSeconds(60), "t2v", 832, 480, 5, false,
                    Duration.ofSeconds(deadline), "t"));
        }
        ReplaySimulator sim = new ReplaySimulator(x.catalog, 1, 42, 0.3, ZoneOffset.UTC);
        ReplayPolicy hedgeEverything = (job, view) -> new ReplayPolicy.Decision("local", x.local.model(), "hedged",
                view.clock() + deadline - latency);

        ReplayOutcome out = sim.run(trace, hedgeEverything);

        double[] f = sim.runFactors(trace.size());
        Money marginal = Money.usd("0");
        Money cloudSpend = Money.usd("0");
        int stayed = 0;
        for (int i = 0; i < trace.size(); i++) {
            double run = expected * f[i];
            if (run <= deadline) {
                marginal = marginal.plus(x.catalog.local().marginal(run));
                stayed++;
            } else {
                marginal = marginal.plus(x.catalog.local().marginal(deadline - latency));
                cloudSpend = cloudSpend.plus(x.cloud.price());
            }
        }
        assertThat(stayed).as("some runs end in time").isPositive().isLessThan(trace.size());
        assertThat(out.localJobs()).isEqualTo(stayed);
        assertThat(out.deadlineHits()).isEqualTo(trace.size());
        assertThat(out.cloudSpend()).isEqualTo(cloudSpend);
        assertThat(out.localMarginal().amount().doubleValue()).isCloseTo(marginal.amount().doubleValue(),
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aHedgedJobStillQueuedAtItsHedgePointGoesToTheCloudWithoutUsingTheGpu() throws Exception {
        Fixture x = new Fixture();
        double latency = x.latency();
        long deadline = (long) Math.ceil(latency + 10);
        // Two at once on one GPU: the second waits behind the first for longer than its hedge point.
        List<TraceJob> trace = List.of(
                new TraceJob(T0.plusSeconds(60), "t2v", 832, 480, 5, false, Duration.ofHours(6), "t"),
                new TraceJob(T0.plusSeconds(61), "t2v", 832, 480, 5, false, Duration.ofSeconds(deadline), "t"));
        ReplaySimulator sim = new ReplaySimulator(x.catalog, 1, 42, 0.0, ZoneOffset.UTC);
        ReplayPolicy policy = (job, view) -> new ReplayPolicy.Decision("local", x.local.model(),
                view.id() == 0 ? "cheapest" : "hedged", view.id() == 0 ? Double.NaN : view.clock() + deadline - latency);

        ReplayOutcome out = sim.run(trace, policy);

        assertThat(x.local.gpuSeconds()).isGreaterThan(10);
        assertThat(out.localJobs()).isEqualTo(1);
        assertThat(out.cloudSpend()).isEqualTo(x.cloud.price());
        assertThat(out.localMarginal()).isEqualTo(x.catalog.local().marginal(x.local.gpuSeconds()));
        assertThat(out.deadlineHits()).isEqualTo(2);
    }
}
