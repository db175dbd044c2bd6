package dev.wanhybrid.gateway.backend;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The backoff of backend retries ({@code gateway.resilience}); attempts, breaker thresholds and time limits are
 * Resilience4j's own {@code resilience4j.*.instances.{cloud,local}} settings.
 *
 * @param initialBackoff wait before the first retry
 * @param multiplier growth of the wait per attempt
 * @param jitter randomisation factor (0.5 = plus or minus half), so instances do not retry in step
 * @param maxBackoff longest wait between two attempts
 * @param maxRetryAfter a backend's {@code Retry-After} is honoured in-call up to this long; a longer one ends the
 *     call, and the dispatcher schedules the next attempt itself
 */
@Validated
@ConfigurationProperties("gateway.resilience")
public record ResilienceProperties(
        @NotNull @DefaultValue("500ms") Duration initialBackoff,
        @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.5") double jitter,
        @NotNull @DefaultValue("10s") Duration maxBackoff,
        @NotNull @DefaultValue("30s") Duration maxRetryAfter) {}
