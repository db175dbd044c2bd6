package dev.wanhybrid.gateway.backend;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Every {@link VideoBackend} bean wrapped in its Resilience4j decorators ({@link ResilientVideoBackend}); breaker,
 * retry and time-limiter instances are named after the backend id, so their metrics carry {@code name="cloud"} or
 * {@code name="local"}.
 */
public class ResilientBackendRegistry implements BackendRegistry {

    private final Map<String, ResilientVideoBackend> backends = new LinkedHashMap<>();

    /**
     * @param idempotentRetry the retry policy for a backend whose id has no {@code resilience4j.retry} instance
     * @param submitRetry the submit policy for such a backend; without it Resilience4j's default would retry every
     *     exception, lost acceptances included, and submit paid work twice
     */
    public ResilientBackendRegistry(List<VideoBackend> raw, CircuitBreakerRegistry breakers, RetryRegistry retries,
            TimeLimiterRegistry timeLimiters, ExecutorService executor, RetryConfig idempotentRetry,
            RetryConfig submitRetry) {
        for (VideoBackend backend : raw) {
            if (backend instanceof ResilientVideoBackend) {
                throw new IllegalStateException("backend " + backend.id() + " is already decorated");
            }
            String id = backend.id();
            var decorated = new ResilientVideoBackend(backend, breakers.circuitBreaker(id),
                    retries.retry(id, () -> retries.getConfiguration(id).orElse(idempotentRetry)),
                    retries.retry(id + "-submit",
                            () -> retries.getConfiguration(id + "-submit").orElse(submitRetry)),
                    timeLimiters.timeLimiter(id), executor);
            if (backends.put(id, decorated) != null) {
                throw new IllegalStateException("two VideoBackend beans share the id '" + id + "'");
            }
        }
    }

    @Override
    public Optional<VideoBackend> find(String backendId) {
        return Optional.ofNullable(backends.get(backendId));
    }

    @Override
    public List<VideoBackend> all() {
        return List.copyOf(backends.values());
    }

    /** The decorated backend with its breaker, for health and routing. */
    public Optional<ResilientVideoBackend> decorated(String backendId) {
        return Optional.ofNullable(backends.get(backendId));
    }
}
