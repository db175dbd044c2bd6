package dev.wanhybrid.gateway.jobs;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The job dispatcher ({@code gateway.jobs.*}).
 *
 * @param dispatcherEnabled false for an API-only replica that never runs jobs
 * @param instanceId lease owner id; empty means a random one per start (a stable id lets a restarted instance
 *     take its own jobs back at once instead of waiting for their leases to expire)
 * @param backends the backends this instance may claim jobs for; empty means every backend that is ready here
 * @param leaseTtl how long a claim lasts without renewal; another instance takes the job over after it expires
 * @param tick how often the dispatcher looks for due jobs
 * @param claimBatch most jobs claimed per tick
 * @param maxConcurrentSteps most backend calls in flight at once
 * @param pollMin first poll interval after acceptance
 * @param pollMax longest poll interval (the interval grows by half each poll)
 * @param reconcileInterval wait between attempts to reconcile a submission whose acceptance is unknown
 * @param retryInterval wait after an unexpected error in a step
 * @param maxResultSize largest result copied into the result store
 * @param maxLocalResubmits how often a job lost by a restarted free backend is resubmitted before it fails
 * @param freeBackends backends whose lost tasks may be resubmitted because a submission costs nothing (local);
 *     a paid backend's lost task fails instead of being paid for twice
 * @param maxBackendWait how long a job whose last candidate is briefly unavailable (refused, throttled, down)
 *     stays queued for it, retrying with backoff, before it fails; a pinned job survives a short outage this way
 * @param reconcileDeadline how long after its submission started a job whose acceptance stays unknown (the
 *     provider's records cannot tell its task from others yet) keeps waiting before it fails with
 *     {@code submission_unresolved}; a task billed for it meanwhile is recorded by billing reconciliation
 */
@Validated
@ConfigurationProperties("gateway.jobs")
public record JobProperties(
        @DefaultValue("true") boolean dispatcherEnabled,
        @DefaultValue("") String instanceId,
        @DefaultValue({}) List<String> backends,
        @NotNull @DefaultValue("30s") Duration leaseTtl,
        @NotNull @DefaultValue("250ms") Duration tick,
        @Min(1) @Max(1000) @DefaultValue("20") int claimBatch,
        @Min(1) @Max(1000) @DefaultValue("32") int maxConcurrentSteps,
        @NotNull @DefaultValue("1s") Duration pollMin,
        @NotNull @DefaultValue("15s") Duration pollMax,
        @NotNull @DefaultValue("5s") Duration reconcileInterval,
        @NotNull @DefaultValue("2s") Duration retryInterval,
        @NotNull @DefaultValue("2GB") DataSize maxResultSize,
        @Min(0) @Max(100) @DefaultValue("3") int maxLocalResubmits,
        @NotNull @DefaultValue("local") List<String> freeBackends,
        @NotNull @DefaultValue("30m") Duration maxBackendWait,
        @NotNull @DefaultValue("30m") Duration reconcileDeadline) {}
