package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.Backend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The routing meters of {@code docs/metrics.md}: decisions by chosen backend and reason, and route-time fallbacks
 * (the preferred backend was unavailable or over budget). Tags come only from the router's fixed codes.
 */
public class RoutingMetrics {

    public static final String DECISIONS = "gateway.routing.decisions";
    public static final String FALLBACKS = "gateway.routing.fallbacks";

    private final MeterRegistry registry;

    public RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
        // The route-time fallback series exist from start-up at zero, so dashboards and alerts that read
        // gateway_routing_fallbacks_total see a flat line rather than "no data" until the first fallback.
        fallbackCounter(Backend.CLOUD.id(), Backend.LOCAL.id(), RouteReason.CLOUD_UNAVAILABLE.code());
        fallbackCounter(Backend.LOCAL.id(), Backend.CLOUD.id(), RouteReason.LOCAL_UNAVAILABLE.code());
        fallbackCounter(Backend.CLOUD.id(), Backend.LOCAL.id(), RouteReason.BUDGET.code());
    }

    /** One decision; {@code backend} is {@code none} when no route was found, with the failure's code as reason. */
    public void decision(String backend, String reason) {
        Counter.builder(DECISIONS).description("Routing decisions by chosen backend and reason")
                .tag("backend", backend).tag("reason", reason).register(registry).increment();
    }

    /**
     * A request sent away from its preferred backend: at routing time (the router's fallback reasons) or at dispatch
     * time (the chosen backend refused or failed before accepting; the dispatcher's reason codes).
     */
    public void fallback(String from, String to, String reason) {
        fallbackCounter(from, to, reason).increment();
    }

    private Counter fallbackCounter(String from, String to, String reason) {
        return Counter.builder(FALLBACKS).description("Requests sent away from their preferred backend")
                .tag("from", from).tag("to", to).tag("reason", reason).register(registry);
    }
}
