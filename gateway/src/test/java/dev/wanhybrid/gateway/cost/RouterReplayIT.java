package dev.wanhybrid.gateway.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.replay.Replay;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayReport;
import dev.wanhybrid.cost.replay.Trace;
import dev.wanhybrid.cost.replay.TraceJob;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped 30-day trace replayed through the gateway's real {@link dev.wanhybrid.gateway.routing.Router} (shipped
 * catalog, cost-model estimates), next to the cost model's own strategies and the offline bound. The report is
 * written to {@code <build dir>/replay-router/replay.md}.
 */
class RouterReplayIT {

    private static final Path CONFIG = Path.of("../cost-model/config/replay.yaml");
    private static final Path TRACE = Path.of("../cost-model/traces/wan-30d.csv");

    @Test
    void realRouterOnTheShippedTraceStaysAboveTheOfflineBound() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(CONFIG);
        List<TraceJob> trace = Trace.read(TRACE);
        // The replay's fleet prices local work; cloud work at the catalog's prices (the same DashScope list).
        RouterReplayPolicy router = new RouterReplayPolicy(CatalogFixtures.shipped(),
                new CostModelEstimator(null, Region.INTERNATIONAL, cfg.catalog().local(), Clock.systemUTC()));

        ReplayReport report = Replay.run(cfg, trace, router);
        Path out = Path.of(System.getProperty("build.dir", "target"), "replay-router");
        Files.createDirectories(out);
        Files.writeString(out.resolve("replay.md"), report.markdown());
        System.out.println(report.markdown());

        assertThat(report.routed().strategy()).isEqualTo("gateway Router (real)");
        assertThat(report.routed().localJobs()).isPositive();
        assertThat(report.bound().totalCost()).isLessThanOrEqualTo(report.routed().total());
    }
}
