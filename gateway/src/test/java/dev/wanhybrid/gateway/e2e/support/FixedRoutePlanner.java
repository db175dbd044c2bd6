package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A route planner test double with a two-model catalog ({@code test-local} on the scripted local backend,
 * {@code test-cloud} on the scripted cloud one): pins ({@code local}/{@code cloud}) and {@code local_only} are
 * honoured, unknown models are refused naming {@code model}.
 */
public class FixedRoutePlanner implements RoutePlanner {

    public static final RouteCandidate LOCAL = new RouteCandidate(TestBackends.LOCAL, "test-local", new BigDecimal("0.010"),
            Duration.ofSeconds(60));
    public static final RouteCandidate CLOUD = new RouteCandidate(TestBackends.CLOUD, "test-cloud", new BigDecimal("0.500"),
            Duration.ofSeconds(90));

    @Override
    public Route plan(GenerationSpec spec) throws NoRouteException {
        List<RouteCandidate> candidates = new ArrayList<>(List.of(LOCAL, CLOUD));
        List<RejectedCandidate> rejected = new ArrayList<>();
        if (!spec.model().equals(GenerationSpec.AUTO_MODEL) && !spec.model().equals(LOCAL.model())
                && !spec.model().equals(CLOUD.model())) {
            throw new NoRouteException(400, "model", "model_not_found",
                    "The model '" + spec.model() + "' does not exist.", List.of());
        }
        if (spec.model().equals(CLOUD.model()) || "cloud".equals(spec.routing().backend())
                || spec.audio().wantsAudio()) {
            candidates.remove(LOCAL);
            rejected.add(new RejectedCandidate(TestBackends.LOCAL, LOCAL.model(), "pinned", "pinned to cloud"));
        }
        if (spec.model().equals(LOCAL.model()) || "local".equals(spec.routing().backend())
                || spec.routing().localOnly()) {
            candidates.remove(CLOUD);
            rejected.add(new RejectedCandidate(TestBackends.CLOUD, CLOUD.model(), "local_only", "pinned to local"));
        }
        if (candidates.isEmpty()) {
            throw new NoRouteException(422, "audio", "no_capable_model", "No model can do that.", rejected);
        }
        return new Route(candidates, rejected, candidates.size() == 2 ? "cheapest" : "pinned");
    }
}
