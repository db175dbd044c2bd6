package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.gateway.generation.GenerationSpec;

/**
 * Decides where a request runs. The implementation gathers health, queue, cost and budget state and hands it to
 * the pure routing decision.
 */
public interface RoutePlanner {

    /**
     * @throws NoRouteException when nothing can run the request; its status tells the caller's fault (4xx, e.g.
     *     an impossible size for every model) from ours (503, every capable backend is down)
     */
    Route plan(GenerationSpec spec) throws NoRouteException;
}
