package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.replay.ReplayPolicy;
import dev.wanhybrid.cost.replay.TraceJob;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import dev.wanhybrid.gateway.routing.BackendHealth;
import dev.wanhybrid.gateway.routing.LatencyObservations;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.Router;
import dev.wanhybrid.gateway.routing.RoutingContext;
import java.util.Map;

/**
 * The gateway's real {@link Router} behind the cost model's replay interface: each trace job becomes a
 * {@link GenerationSpec} with its deadline, the simulated queue becomes the router's {@link LocalQueueState}, and
 * the router's choice is what the replay runs. When the router finds no route (no option meets the deadline) the
 * replay sends the job to the cloud and counts the miss, as a client retrying without a deadline would.
 */
public final class RouterReplayPolicy implements ReplayPolicy {

    private final Router router = new Router();
    private final ModelCatalog catalog;
    private final CostEstimator costs;

    public RouterReplayPolicy(ModelCatalog catalog, CostEstimator costs) {
        this.catalog = catalog;
        this.costs = costs;
    }

    @Override
    public Decision decide(TraceJob job, View view) {
        GenerationSpec spec = new GenerationSpec(job.tenant(), GenerationSpec.AUTO_MODEL,
                job.kind().equals("i2v") ? TaskKind.I2V : TaskKind.T2V, "replayed request", null,
                new VideoSize(job.width(), job.height()), job.seconds(), null,
                job.kind().equals("i2v") ? java.net.URI.create("https://example.invalid/frame.png") : null,
                job.audio() ? AudioSpec.GENERATED : AudioSpec.NONE, null,
                new RoutingHints(null, RoutingHints.Objective.COST, null, job.deadline(), false));
        String localId = Backend.LOCAL.id();
        String cloudId = Backend.CLOUD.id();
        BackendHealth local = view.gpus() > 0 ? BackendHealth.up(localId)
                : new BackendHealth(localId, false, "CLOSED", "no GPUs", java.util.Set.of());
        RoutingContext ctx = new RoutingContext(catalog, Map.of(localId, local, cloudId, BackendHealth.up(cloudId)),
                new LocalQueueState(view.localQueued(), Math.min(view.gpus(), view.localQueued()), Math.max(1, view.gpus()),
                        0, view.localWait()),
                LatencyObservations.NONE, costs, Map.of(), view.now());
        try {
            Route route = router.decide(spec, ctx);
            return new Decision(route.chosen().backend(), route.chosen().model(), route.reason());
        } catch (NoRouteException e) {
            return view.cloud().map(c -> new Decision(cloudId, c.model(), "no_route_" + e.code()))
                    .orElseGet(() -> new Decision(localId, view.local().getFirst().model(), "no_route_" + e.code()));
        }
    }

    @Override
    public String name() {
        return "gateway Router (real)";
    }
}
