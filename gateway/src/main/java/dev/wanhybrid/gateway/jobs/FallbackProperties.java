package dev.wanhybrid.gateway.jobs;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How far a job's fallbacks may raise its cost ({@code gateway.jobs.fallback}).
 *
 * @param maxCostMultiple without a {@code routing.max_cost_usd}, a fallback candidate may cost at most this multiple
 *     of the estimate the job was accepted with (1 keeps every fallback at or below it)
 */
@Validated
@ConfigurationProperties("gateway.jobs.fallback")
public record FallbackProperties(@NotNull @DecimalMin("1") @DefaultValue("1.5") BigDecimal maxCostMultiple) {}
