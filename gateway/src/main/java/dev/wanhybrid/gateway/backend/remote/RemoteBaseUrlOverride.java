package dev.wanhybrid.gateway.backend.remote;

import java.net.URI;
import java.util.Map;

/** Where an in-process demo server really listens, by engine name, replacing the configured {@code base-url}. */
@FunctionalInterface
public interface RemoteBaseUrlOverride {

    Map<String, URI> byName();
}
