package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.replay.RoutingCorePolicy;
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
import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.routing.LocalPlanState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's whole {@link Router} behind the cost model's replay interface: each trace job becomes a
 * {@link GenerationSpec} with its deadline, the replay's plan and this policy's demand window become the router's
 * {@link LocalPlanState}, cloud latency is the replay's figure per output second, and the router's choice is what
 * the replay runs. When the router finds no route the replay sends the job to the cloud and counts the miss, as a
 * client retrying without a deadline would. Keeps its own demand window: use one instance per run.
 */
public final class RouterReplayPolicy implements RoutingCorePolicy {

    private final Router router = new Router();
    private final ModelCatalog catalog;
    private final CostEstimator costs;
    private final Duration cloudLatencyPerSecond;
    private final LocalAdmission admission;
    private final DemandWindow demand = new DemandWindow();

    /**
     * The router with the gateway's default settings ({@link LocalAdmission#gatewayDefaults()}).
     *
     * @param cloudLatencyPerSecond the replay's cloud latency per output second ({@code replay.cloud_latency_per_second})
     */
    public RouterReplayPolicy(ModelCatalog catalog, CostEstimator costs, Duration cloudLatencyPerSecond) {
        this(catalog, costs, cloudLatencyPerSecond, LocalAdmission.gatewayDefaults());
    }

    /**
     * @param admission the routing core's rule; with hedging on ({@code gateway.routing.hedging}) a hedged route's
     *     hedge point goes to the replay, which carries it out as the gateway's dispatcher does
     */
    public RouterReplayPolicy(ModelCatalog catalog, CostEstimator costs, Duration cloudLatencyPerSecond,
            LocalAdmission admission) {
        this.admission = admission;
        this.catalog = catalog;
        this.costs = costs;
        this.cloudLatencyPerSecond = cloudLatencyPerSecond;
    }

    @Override
    public Decision decide(TraceJob job, View view) {
        return route(job, view).map(r -> new Decision(r.chosen().backend(), r.chosen().model(), r.reason(),
                        r.hedge() == null ? Double.NaN
                                : view.clock() + Duration.between(view.now(), r.hedge().at()).toMillis() / 1000.0,
                        // (the replay's plan ids are its jobs' own, so the task the route names is the id)
                        r.preemption() == null ? -1 : Long.parseLong(r.preemption().task()),
                        admission.suspendOverheadSeconds()))
                .orElseGet(() -> view.cloud().map(c -> new Decision(Backend.CLOUD.id(), c.model(), "no_route"))
                        .orElseGet(() -> new Decision(Backend.LOCAL.id(), view.local().getFirst().model(), "no_route")));
    }

    /** The router's route for this job and state, or empty when it finds none. */
    public java.util.Optional<Route> route(TraceJob job, View view) {
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
        List<LatencyObservations.Observation> seen = new ArrayList<>();
        for (CatalogModel m : catalog.models()) {
            if (!m.isLocal()) {
                for (int i = 0; i < 3; i++) {
                    seen.add(new LatencyObservations.Observation(view.now(), m.id(), cloudLatencyPerSecond, 1));
                }
            }
        }
        RoutingContext ctx = new RoutingContext(catalog, Map.of(localId, local, cloudId, BackendHealth.up(cloudId)),
                new LocalQueueState(view.localQueued(), Math.min(view.gpus(), view.localQueued()),
                        Math.max(1, view.gpus()), 0, Duration.ZERO),
                LatencyObservations.of(seen, Duration.ofMinutes(30), 3), costs, Map.of(), view.now(),
                new LocalPlanState(view.plan(), demand, admission, view.clock(), view.id()));
        try {
            return java.util.Optional.of(router.decide(spec, ctx));
        } catch (NoRouteException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public LocalAdmission admission() {
        return admission;
    }
}
