package dev.wanhybrid.gateway.backend.cloud;

import java.net.URI;

/**
 * The DashScope base URL this process should use instead of the region's: the in-process simulator of the
 * {@code demo} profile and of tests ({@code gateway.cloud.simulator.enabled}). The cloud backend uses it, with
 * {@code gateway.cloud.simulator.api-key}, only when neither a key nor a base URL is configured.
 */
@FunctionalInterface
public interface CloudEndpointOverride {

    /** The base URL, ending in {@code /api/v1}. */
    URI baseUrl();
}
