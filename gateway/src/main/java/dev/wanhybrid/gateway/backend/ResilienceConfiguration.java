package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.cost.Backend;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.common.circuitbreaker.configuration.CircuitBreakerConfigCustomizer;
import io.github.resilience4j.common.retry.configuration.RetryConfigCustomizer;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the backend registry: which failures count against a breaker, what a retry repeats and how long it waits
 * (jittered exponential backoff that never waits less than the backend's {@code Retry-After}).
 *
 * <p>Resilience4j instances, one set per backend: circuit breakers {@code cloud} and {@code local}; retries
 * {@code cloud}, {@code local} (idempotent calls) and {@code cloud-submit}, {@code local-submit}; time limiters
 * {@code cloud} and {@code local}; bulkhead {@code local} (the local queue's capacity). Their thresholds live in
 * {@code gateway-routing.yaml} and {@code gateway-local.yaml}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ResilienceProperties.class)
class ResilienceConfiguration {

    static final List<String> BACKENDS = List.of(Backend.CLOUD.id(), Backend.LOCAL.id());

    /**
     * Caller errors, load refusals and undecided reconciliations say nothing about the backend's health, so they do
     * not trip a breaker (in half-open state such a call gives its trial permit back instead of re-opening it).
     */
    // Throttling is the provider working as documented (a rate or quota limit), not a failure: counting 429s would
    // open the breaker, stop polling and send silent work local whenever we merely sent too fast.
    static final Predicate<Throwable> NOT_A_BACKEND_FAILURE = t -> t instanceof BackendException e
            && (e.kind() == BackendException.Kind.INVALID_INPUT || e.kind() == BackendException.Kind.CONTENT_POLICY
                    || e.kind() == BackendException.Kind.REFUSED || e.kind() == BackendException.Kind.THROTTLED
                    || e.kind() == BackendException.Kind.UNDECIDED);

    // One customizer bean per instance: Resilience4j collects them by type.
    @Bean
    CircuitBreakerConfigCustomizer cloudBreakerCustomizer() {
        return CircuitBreakerConfigCustomizer.of(Backend.CLOUD.id(), b -> b.ignoreException(NOT_A_BACKEND_FAILURE));
    }

    @Bean
    CircuitBreakerConfigCustomizer localBreakerCustomizer() {
        return CircuitBreakerConfigCustomizer.of(Backend.LOCAL.id(), b -> b.ignoreException(NOT_A_BACKEND_FAILURE));
    }

    @Bean
    RetryConfigCustomizer cloudRetryCustomizer(ResilienceProperties properties) {
        return RetryConfigCustomizer.of(Backend.CLOUD.id(), idempotent(properties));
    }

    @Bean
    RetryConfigCustomizer cloudSubmitRetryCustomizer(ResilienceProperties properties) {
        return RetryConfigCustomizer.of("cloud-submit", submit(properties));
    }

    @Bean
    RetryConfigCustomizer localRetryCustomizer(ResilienceProperties properties) {
        return RetryConfigCustomizer.of(Backend.LOCAL.id(), idempotent(properties));
    }

    @Bean
    RetryConfigCustomizer localSubmitRetryCustomizer(ResilienceProperties properties) {
        return RetryConfigCustomizer.of("local-submit", submit(properties));
    }

    /** Idempotent calls repeat retryable backend errors and time-outs. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Consumer<RetryConfig.Builder> idempotent(ResilienceProperties properties) {
        Predicate<Throwable> when = t -> retryable(t, properties) || t instanceof TimeoutException;
        return b -> b.retryOnException(when).intervalBiFunction(backoff(properties));
    }

    /** A submission repeats only failures known not to have created a task; never a time-out. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Consumer<RetryConfig.Builder> submit(ResilienceProperties properties) {
        Predicate<Throwable> when = t -> retryable(t, properties);
        return b -> b.retryOnException(when).intervalBiFunction(backoff(properties));
    }

    private static boolean retryable(Throwable t, ResilienceProperties properties) {
        return t instanceof BackendException e && e.isRetryable()
                && (e.retryAfter() == null || e.retryAfter().compareTo(properties.maxRetryAfter()) <= 0);
    }

    /** Jittered exponential backoff, but never shorter than the {@code Retry-After} the backend asked for. */
    static IntervalBiFunction<Object> backoff(ResilienceProperties p) {
        IntervalFunction jittered = IntervalFunction.ofExponentialRandomBackoff(p.initialBackoff(), p.multiplier(),
                p.jitter(), p.maxBackoff());
        return (attempt, outcome) -> {
            long wait = jittered.apply(attempt);
            if (outcome.isLeft() && outcome.getLeft() instanceof BackendException e && e.retryAfter() != null) {
                wait = Math.max(wait, e.retryAfter().toMillis());
            }
            return wait;
        };
    }

    /** Runs backend calls so the time limiter can abandon (and interrupt) one that hangs. */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService backendCallExecutor() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("backend-call-", 0).factory());
    }

    /** Probes half-open breakers with a real cheap call every {@code gateway.resilience.probe-interval}. */
    @Bean
    BreakerProber breakerProber(ResilientBackendRegistry backendRegistry, Environment environment) {
        Duration probeInterval = Binder.get(environment).bind("gateway.resilience.probe-interval", Duration.class)
                .orElse(Duration.ofSeconds(5));
        return new BreakerProber(backendRegistry.all().stream().map(ResilientVideoBackend.class::cast).toList(),
                probeInterval);
    }

    /** Primary, so the API's empty last-resort registry can never shadow it. */
    @Bean
    @org.springframework.context.annotation.Primary
    ResilientBackendRegistry backendRegistry(List<VideoBackend> beans,
            org.springframework.beans.factory.ObjectProvider<VideoBackendGroup> groups, CircuitBreakerRegistry breakers,
            RetryRegistry retries, TimeLimiterRegistry timeLimiters, ExecutorService backendCallExecutor,
            ResilienceProperties properties) {
        List<VideoBackend> backends = new java.util.ArrayList<>(beans);
        groups.orderedStream().forEach(group -> group.backends().forEach(member -> {
            // One breaker per member, named after it, judging health like its template's (the local one's for
            // self-hosted GPUs, the cloud one's for a further cloud source), and its own time limit; created here,
            // before the registry asks for them by name.
            CircuitBreakerConfig template = breakers.getConfiguration(group.breakerTemplate())
                    .or(() -> breakers.find(group.breakerTemplate()).map(CircuitBreaker::getCircuitBreakerConfig))
                    .orElse(breakers.getDefaultConfig());
            breakers.circuitBreaker(member.id(),
                    CircuitBreakerConfig.from(template).ignoreException(NOT_A_BACKEND_FAILURE).build());
            timeLimiters.timeLimiter(member.id(), TimeLimiterConfig.custom()
                    .timeoutDuration(group.callTimeout(member.id())).cancelRunningFuture(true).build());
            backends.add(member);
        }));
        RetryConfig.Builder<Object> idempotent = RetryConfig.from(retries.getDefaultConfig());
        idempotent(properties).accept(idempotent);
        RetryConfig.Builder<Object> submit = RetryConfig.from(retries.getDefaultConfig());
        submit(properties).accept(submit);
        return new ResilientBackendRegistry(backends, breakers, retries, timeLimiters, backendCallExecutor,
                idempotent.build(), submit.build());
    }

}
