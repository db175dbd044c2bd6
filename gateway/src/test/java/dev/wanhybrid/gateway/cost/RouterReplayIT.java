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
        final RouterPolicy replay = new RouterPolicy();
        final List<String> differences = new ArrayList<>();
        int local;

        SideBySide(RouterReplayPolicy gateway) {
            this.gateway = gateway;
        }

        @Override
        public Decision decide(TraceJob job, View view) {
            Decision g = gateway.decide(job, view);
            Decision r = replay.decide(job, view);
            boolean same = g.backend().equals(r.backend()) && (!"local".equals(g.backend()) || g.model().equals(r.model()));
            if (!same) {
                differences.add(job + ": gateway " + g + ", replay " + r);
            }
            if ("local".equals(g.backend())) {
                local++;
            }
            return g;
        }

        @Override
        public boolean readsLocalWait() {
            return false;
        }

        @Override
        public String name() {
            return RouterPolicy.NAME;
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
}
