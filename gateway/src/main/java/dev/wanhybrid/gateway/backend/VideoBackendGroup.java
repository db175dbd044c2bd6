package dev.wanhybrid.gateway.backend;

import java.util.List;

/**
 * Backends that come from a list in the configuration (one per configured remote server) rather than one bean each;
 * the registry decorates and registers every member like a single {@link VideoBackend} bean.
 */
public interface VideoBackendGroup {

    List<VideoBackend> backends();

    /** The time limit of one call to a member (its own request timeout plus a margin). */
    java.time.Duration callTimeout(String backendId);

    /**
     * The backend whose circuit-breaker configuration each member's breaker copies: {@code local} (self-hosted GPUs,
     * the remote engines) unless the group says otherwise ({@code cloud} for further cloud sources).
     */
    default String breakerTemplate() {
        return dev.wanhybrid.cost.Backend.LOCAL.id();
    }
}
