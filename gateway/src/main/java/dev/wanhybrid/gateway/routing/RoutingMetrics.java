package dev.wanhybrid.gateway.routing;

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
    }

    /** One decision; {@code backend} is {@code none} when no route was found, with the failure's code as reason. */
    public void decision(String backend, String reason) {
        Counter.builder(DECISIONS).description("Routing decisions by chosen backend and reason")
                .tag("backend", backend).tag("reason", reason).register(registry).increment();
    }

    public void fallback(String from, String to, String reason) {
        Counter.builder(FALLBACKS).description("Requests sent away from their preferred backend")
                .tag("from", from).tag("to", to).tag("reason", reason).register(registry).increment();
    }
}
