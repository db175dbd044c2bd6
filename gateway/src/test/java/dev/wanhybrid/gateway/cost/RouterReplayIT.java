package dev.wanhybrid.gateway.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.replay.Replay;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayPolicy;
import dev.wanhybrid.cost.replay.ReplayReport;
import dev.wanhybrid.cost.replay.RouterPolicy;
import dev.wanhybrid.cost.replay.TraceGenerator;
import dev.wanhybrid.cost.replay.TraceJob;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway's whole {@link dev.wanhybrid.gateway.routing.Router} (shipped catalog, cost-model estimates) and the
 * replay's default strategy, run side by side on one generated trace and one plan: they must send every job to the
 * same place, because both end in the same routing core.
 */
class RouterReplayIT {

    private static final Path CONFIG = Path.of("../cost-model/config/replay.yaml");

    /** Runs the gateway's router, and asks the replay's router the same question in the same state. */
    private static final class SideBySide implements ReplayPolicy {
        final RouterReplayPolicy gateway;
        final RouterPolicy replay;
        final List<String> differences = new ArrayList<>();
        int local;
        int hedged;
        int preempting;

        SideBySide(RouterReplayPolicy gateway) {
            this(gateway, new RouterPolicy());
        }

        SideBySide(RouterReplayPolicy gateway, RouterPolicy replay) {
            this.gateway = gateway;
            this.replay = replay;
        }

        @Override
        public Decision decide(TraceJob job, View view) {
            Decision g = gateway.decide(job, view);
            Decision r = replay.decide(job, view);
            boolean same = g.backend().equals(r.backend()) && (!"local".equals(g.backend()) || g.model().equals(r.model()))
                    && Double.isNaN(g.hedgeAt()) == Double.isNaN(r.hedgeAt())
                    // (the gateway's hedge point is an instant to the millisecond)
                    && (Double.isNaN(g.hedgeAt()) || Math.abs(g.hedgeAt() - r.hedgeAt()) < 0.001)
                    && g.suspend() == r.suspend() && (g.suspend() < 0 || g.suspendOverhead() == r.suspendOverhead());
            if (!same) {
                differences.add(job + ": gateway " + g + ", replay " + r);
            }
            if ("local".equals(g.backend())) {
                local++;
            }
            if (!Double.isNaN(g.hedgeAt())) {
                hedged++;
            }
            if (g.suspend() >= 0) {
                preempting++;
            }
            return g;
        }

        @Override
        public dev.wanhybrid.cost.routing.LocalSchedule.Job suspensionFor(dev.wanhybrid.cost.routing.LocalSchedule.Job waiting,
                double clock, dev.wanhybrid.cost.routing.LocalSchedule plan) {
            var g = gateway.suspensionFor(waiting, clock, plan);
            var r = replay.suspensionFor(waiting, clock, plan);
            if (!java.util.Objects.equals(g, r)) {
                differences.add("latest start of " + waiting + ": gateway " + g + ", replay " + r);
            }
            return g;
        }

        @Override
        public boolean preempts() {
            return gateway.preempts();
        }

        @Override
        public double suspendOverhead() {
            return gateway.suspendOverhead();
        }

        @Override
        public boolean readsLocalWait() {
            return false;
        }

        @Override
        public String name() {
            return replay.name();
        }
    }

    @Test
    void gatewayRouterAndReplayRouteEveryJobOfOneTraceAlike() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        List<TraceJob> trace = TraceGenerator.generate(new TraceGenerator.Settings(1414, Instant.parse("2026-10-05T00:00:00Z"),
                2, 1500));
        // The replay's service times and margins (its fleet), cloud work at the catalog's prices (the same list).
        CostModelEstimator costs = CostModelEstimator.withServiceTimes(null, Region.INTERNATIONAL, cfg.catalog().serviceTimes(),
                Clock.systemUTC());
        SideBySide both = new SideBySide(new RouterReplayPolicy(CatalogFixtures.shipped(), costs,
                Duration.ofSeconds(36)));

        ReplayReport report = Replay.run(cfg, trace, both);

        assertThat(trace).hasSizeGreaterThan(2000);
        assertThat(both.differences).isEmpty();
        assertThat(both.local).isPositive().isLessThan(trace.size());
        assertThat(report.routed().localJobs()).isEqualTo(both.local);
        assertThat(report.bound().totalCost()).isLessThanOrEqualTo(report.routed().total());
    }

    /**
     * With hedging on ({@code gateway.routing.hedging}) on the family it is for (a quarter of the jobs due in 5
     * minutes), the gateway's router and the replay's {@code router-hedged} take the same jobs hedged, with the same
     * hedge point, and the replay carries those hedges out on both alike.
     */
    @Test
    void hedgedRoutesAndTheirHedgePointsMatchTheReplaysHedgedRouter() throws Exception {
        SideBySide both = sideBySide(new dev.wanhybrid.cost.routing.LocalAdmission().withHedging(true),
                RouterPolicy.hedged());

        dev.wanhybrid.cost.replay.ReplayOutcome out = deadlineSpreadOnTwoGpus(1415, 1, both);

        assertThat(both.differences).isEmpty();
        assertThat(both.hedged).isPositive();
        assertThat(out.localJobs()).isPositive();
        assertThat(out.strategy()).isEqualTo(RouterPolicy.HEDGED);
    }

    /**
     * With hedging and pre-emption on ({@code gateway.routing.hedging}, {@code gateway.routing.preemption}), the
     * gateway's router and the replay's {@code router} (the default settings) name the same run to suspend for every newcomer
     * and at every queued job's latest start (a deadline-spread trace, then a bursty one), and the replay carries the
     * suspensions out on both alike.
     */
    @Test
    void preemptingRoutesNameTheSameRunToSuspendAsTheReplaysPreemptingRouter() throws Exception {
        SideBySide both = sideBySide(new dev.wanhybrid.cost.routing.LocalAdmission().withHedging(true)
                .withPreemptibleWork(true), new RouterPolicy());

        dev.wanhybrid.cost.replay.ReplayOutcome out = deadlineSpreadOnTwoGpus(1416, 2, both);

        assertThat(both.differences).isEmpty();
        assertThat(both.preempting).isPositive();
        assertThat(out.suspensionsForArrivals()).isEqualTo(both.preempting);
        assertThat(out.strategy()).isEqualTo(RouterPolicy.NAME);

        // Suspensions at a queued job's latest start are rare; this bursty trace has one.
        SideBySide bursty = sideBySide(new dev.wanhybrid.cost.routing.LocalAdmission().withHedging(true)
                .withPreemptibleWork(true), new RouterPolicy());
        dev.wanhybrid.cost.replay.ReplayOutcome burstyOut = onTwoGpus(1416, 2, TraceGenerator.Family.BURSTY, bursty);
        assertThat(bursty.differences).isEmpty();
        assertThat(burstyOut.suspensionsForLatestStarts()).isPositive();
    }

    /** The gateway's router with {@code admission} (the replay's fleet and cloud latency) beside {@code replay}. */
    private static SideBySide sideBySide(dev.wanhybrid.cost.routing.LocalAdmission admission, RouterPolicy replay)
            throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        CostModelEstimator costs = CostModelEstimator.withServiceTimes(null, Region.INTERNATIONAL,
                cfg.catalog().serviceTimes(), Clock.systemUTC());
        return new SideBySide(new RouterReplayPolicy(CatalogFixtures.shipped(), costs, Duration.ofSeconds(36),
                admission), replay);
    }

    /** Replays {@code days} of a generated {@code deadline-spread} trace (300 jobs a day a GPU) on 2 GPUs. */
    private static dev.wanhybrid.cost.replay.ReplayOutcome deadlineSpreadOnTwoGpus(long seed, int days,
            SideBySide both) throws Exception {
        return onTwoGpus(seed, days, TraceGenerator.Family.DEADLINE_SPREAD, both);
    }

    /** Replays {@code days} of a generated trace of {@code family} (300 jobs a day a GPU) on 2 GPUs. */
    private static dev.wanhybrid.cost.replay.ReplayOutcome onTwoGpus(long seed, int days,
            TraceGenerator.Family family, SideBySide both) throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        List<TraceJob> trace = TraceGenerator.generate(new TraceGenerator.Settings(seed,
                Instant.parse("2026-10-05T00:00:00Z"), days, 2 * 300, family));
        return new dev.wanhybrid.cost.replay.ReplaySimulator(cfg.catalog(), 2, cfg.seed(), cfg.noiseSigma(),
                cfg.cost().billingZone()).run(trace, both);
    }
}
