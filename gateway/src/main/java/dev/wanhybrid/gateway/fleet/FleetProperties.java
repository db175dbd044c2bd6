package dev.wanhybrid.gateway.fleet;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The shared local fleet ({@code gateway.fleet.*}), used when {@code gateway.role} is {@code api} or {@code worker}.
 *
 * @param heartbeatInterval how often a worker with loaded engines records its heartbeat
 * @param staleAfter how old a heartbeat may be before its worker no longer counts (several intervals, so one
 *     slow database write does not take a worker out of routing)
 */
@Validated
@ConfigurationProperties("gateway.fleet")
public record FleetProperties(
        @NotNull @DefaultValue("5s") Duration heartbeatInterval,
        @NotNull @DefaultValue("20s") Duration staleAfter) {}
