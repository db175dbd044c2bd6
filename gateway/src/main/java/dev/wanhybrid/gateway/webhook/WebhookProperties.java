package dev.wanhybrid.gateway.webhook;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook delivery ({@code gateway.webhooks}).
 *
 * @param enabled run the background sender on this instance
 * @param pollInterval how often the outbox is scanned and due deliveries sent
 * @param batchSize events scanned, and deliveries sent, per tick
 * @param maxAttempts attempts before a delivery is given up
 * @param initialBackoff wait after the first failure; doubles per attempt
 * @param maxBackoff longest wait between attempts
 * @param jitter randomisation factor of the backoff
 * @param timeout how long a receiver may take to answer
 * @param lease how long an instance holds a delivery it is sending (longer than {@code timeout})
 * @param scanLag events younger than this are read again on the next scan, so late commits are not skipped
 * @param skipTypes event types not delivered ({@code video.progress} by default: too chatty for webhooks)
 */
@Validated
@ConfigurationProperties("gateway.webhooks")
public record WebhookProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration pollInterval,
        @Min(1) @Max(1000) @DefaultValue("100") int batchSize,
        @Min(1) @Max(50) @DefaultValue("10") int maxAttempts,
        @NotNull @DefaultValue("5s") Duration initialBackoff,
        @NotNull @DefaultValue("1h") Duration maxBackoff,
        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.5") double jitter,
        @NotNull @DefaultValue("10s") Duration timeout,
        @NotNull @DefaultValue("60s") Duration lease,
        @NotNull @DefaultValue("30s") Duration scanLag,
        @DefaultValue("video.progress") List<String> skipTypes) {}
