package dev.wanhybrid.gateway.backend;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One health contributor per backend under {@code /actuator/health/backends/{id}}: readiness, what is missing and
 * how to provide it, and the circuit breaker's state. Probes only call {@link VideoBackend#readiness()}, which
 * never costs money.
 *
 * <p>A backend that cannot take work reports {@code UNKNOWN}, not {@code DOWN}: the gateway itself is healthy
 * and still serves what the other backend can run, so overall health (and the readiness probe) stays up.
 */
@Configuration(proxyBeanMethods = false)
class BackendHealthConfiguration {

    @Bean
    CompositeHealthContributor backendsHealthContributor(ResilientBackendRegistry registry) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        for (VideoBackend backend : registry.all()) {
            ResilientVideoBackend decorated = (ResilientVideoBackend) backend;
            indicators.put(backend.id(), () -> health(decorated));
        }
        return CompositeHealthContributor.fromMap(indicators);
    }

    static Health health(ResilientVideoBackend backend) {
        BackendReadiness readiness = backend.readiness();
        CircuitBreaker breaker = backend.circuitBreaker();
        CircuitBreaker.State state = breaker.getState();
        boolean breakerAllows = state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
        Health.Builder builder = readiness.ready() && breakerAllows ? Health.up() : Health.unknown();
        builder.withDetail("ready", readiness.ready())
                .withDetail("detail", readiness.detail())
                .withDetail("breaker", state.name())
                .withDetail("failureRate", breaker.getMetrics().getFailureRate());
        if (!breakerAllows) {
            builder.withDetail("breakerHint", state == CircuitBreaker.State.FORCED_OPEN
                    ? "forced open by an operator; it stays open until closed through the circuitbreakers"
                            + " actuator endpoint or CircuitBreaker.transitionToClosedState()"
                    : "opened after recent failures; it half-opens by itself after its wait duration");
        }
        return builder.build();
    }
}
