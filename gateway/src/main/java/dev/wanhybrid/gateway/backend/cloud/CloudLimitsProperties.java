package dev.wanhybrid.gateway.backend.cloud;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The cloud accounts' limits when replicas share them in PostgreSQL ({@code gateway.cloud.shared-limits}; whether
 * they do is {@code gateway.rate-limits.store}).
 *
 * @param sweepInterval how often a replica deletes the task slots that no open job holds any more (left by a replica
 *     that died, or by a release that failed); {@code 0} turns the sweep off
 * @param sweepGrace how old a slot must be before the sweep may delete it: longer than the moment between a create's
 *     answer and the job row that records its task id
 */
@Validated
@ConfigurationProperties("gateway.cloud.shared-limits")
public record CloudLimitsProperties(
        @NotNull @DefaultValue("1m") Duration sweepInterval,
        @NotNull @DefaultValue("1m") Duration sweepGrace) {}
