package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.gateway.backend.RemoteLoad;
import java.util.Set;

/**
 * The router's view of one backend at decision time.
 *
 * @param backend {@code local} or {@code cloud}
 * @param ready whether it can accept work (weights loaded, key configured, workers up)
 * @param breakerState the Resilience4j circuit breaker state name ({@code CLOSED}, {@code OPEN},
 *     {@code FORCED_OPEN}, {@code HALF_OPEN}, ...)
 * @param detail what is missing when not ready
 * @param servedModels the catalog models it can run now; empty means every model of this backend
 * @param remoteLoad a remote self-hosted server's queue, service times and GPU price, else {@code null}
 */
public record BackendHealth(String backend, boolean ready, String breakerState, String detail,
        Set<String> servedModels, RemoteLoad remoteLoad) {

    /** A backend that reports no remote load (the in-JVM engine, the cloud). */
    public BackendHealth(String backend, boolean ready, String breakerState, String detail, Set<String> servedModels) {
        this(backend, ready, breakerState, detail, servedModels, null);
    }

    public BackendHealth {
        servedModels = servedModels == null ? Set.of() : Set.copyOf(servedModels);
        breakerState = breakerState == null ? "CLOSED" : breakerState;
    }

    public static BackendHealth up(String backend) {
        return new BackendHealth(backend, true, "CLOSED", "ready", Set.of());
    }

    public boolean breakerRejectsCalls() {
        return "OPEN".equals(breakerState) || "FORCED_OPEN".equals(breakerState);
    }

    public boolean serves(String model) {
        return servedModels.isEmpty() || servedModels.contains(model);
    }
}
