package dev.wanhybrid.gateway.backend;

import java.util.List;
import java.util.Optional;

/**
 * The configured backends, each already wrapped in its resilience decorators, looked up by id
 * ({@code local}, {@code cloud}).
 */
public interface BackendRegistry {

    Optional<VideoBackend> find(String backendId);

    List<VideoBackend> all();
}
