package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.routing.HedgeGuard;
import dev.wanhybrid.gateway.routing.RoutingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The job meters of {@code docs/metrics.md}. Histogram buckets are switched on in {@code application.yaml}
 * ({@code management.metrics.distribution.*}), where the range is raised to 30 minutes.
 */
@Component
public class JobMetrics {

    public static final String SUBMITTED = "gateway.jobs.submitted";
    public static final String FINISHED = "gateway.jobs.finished";
    public static final String DURATION = "gateway.job.duration";
    public static final String BUDGET_QUEUED = "gateway.jobs.budget.queued";
    public static final String SUBMIT_GROUP = "gateway.submit.group.size";
    public static final String CLOUD_LATENCY_VS_PLANNED = "gateway.cloud.latency.vs.planned";
    public static final String HEDGE_RESCUES = "gateway.hedge.rescues";
    private final MeterRegistry registry;
    private final RoutingMetrics routing;
    private final io.micrometer.core.instrument.DistributionSummary submitGroups;
    /** Told how routed cloud jobs did against their plan; null without hedging. */
    private final HedgeGuard hedgeGuard;

    public JobMetrics(MeterRegistry registry) {
        this(registry, (HedgeGuard) null);
    }

    @Autowired
    public JobMetrics(MeterRegistry registry, ObjectProvider<HedgeGuard> hedgeGuard) {
        this(registry, hedgeGuard.getIfAvailable());
    }

    JobMetrics(MeterRegistry registry, HedgeGuard hedgeGuard) {
        this.registry = registry;
        this.hedgeGuard = hedgeGuard;
        this.routing = new RoutingMetrics(registry);
        this.submitGroups = io.micrometer.core.instrument.DistributionSummary.builder(SUBMIT_GROUP)
                .description("Submissions written in one commit (jobs.SubmitGroups; PostgreSQL by default)")
                .baseUnit("submissions").register(registry);
    }

    /** One commit of {@code submissions} new jobs written together ({@link SubmitGroups}). */
    void submitGroup(int submissions) {
        submitGroups.record(submissions);
    }

    public void submitted(String backend, String model, String tenant) {
        Counter.builder(SUBMITTED).description("Jobs accepted by the gateway")
                .tags("backend", backend, "model", model, "tenant", tenant).register(registry).increment();
    }

    public void finished(String backend, String model, JobStatus outcome, Duration duration) {
        String tag = outcome.wire();
        Counter.builder(FINISHED).description("Jobs that reached a final status")
                .tags("backend", backend, "model", model, "outcome", tag).register(registry).increment();
        Timer.builder(DURATION).description("Time from acceptance to a final status")
                .tags("backend", backend, "model", model, "outcome", tag).register(registry).record(duration);
    }

    /**
     * A cloud job completed: its time on the cloud (from acceptance, or from the fallback that sent it there) over
     * the time its candidate was planned to take when the route was made, tagged by how it was sent ({@code routed},
     * {@code rescue} for a hedged job that left at its hedge point, {@code fallback}). This is the figure that says
     * whether {@code gateway.routing.hedge-rescue-margin} covers the cloud's spread: a rescue is late when the ratio
     * is above the margin. Recorded whether hedging is on or not. A rescue is also counted in time or late against
     * the job's deadline ({@value #HEDGE_RESCUES}).
     */
    void cloudCompleted(Job job, Instant completedAt) {
        JobRoute.Candidate planned = job.currentCandidate();
        if (planned.estimatedSeconds() == null || planned.estimatedSeconds() <= 0) {
            return;
        }
        Instant sentAt = job.createdAt();
        String sent = "routed";
        List<JobRoute.Fallback> moves = job.route().fallbacks();
        if (!moves.isEmpty()) {
            JobRoute.Fallback last = moves.getLast();
            sentAt = Instant.ofEpochSecond(last.at());
            sent = JobRoute.Hedge.HEDGED_TO_CLOUD.equals(last.reason()) ? "rescue" : "fallback";
        }
        double seconds = Math.max(0, Duration.between(sentAt, completedAt).toMillis() / 1000.0);
        double ratio = seconds / planned.estimatedSeconds();
        DistributionSummary.builder(CLOUD_LATENCY_VS_PLANNED)
                .description("A completed cloud job's time on the cloud over the time planned for it when routed")
                .baseUnit("ratio").tags("model", job.model(), "sent", sent)
                .serviceLevelObjectives(0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0).register(registry)
                .record(ratio);
        if (hedgeGuard != null && sent.equals("routed")) {
            hedgeGuard.routedCloudJobTook(ratio);
        }
        Duration deadline = job.spec().routing() == null ? null : job.spec().routing().deadline();
        if (sent.equals("rescue") && deadline != null) {
            boolean inTime = !completedAt.isAfter(job.createdAt().plus(deadline));
            Counter.builder(HEDGE_RESCUES).description("Hedged jobs that left for the cloud at their hedge point and"
                    + " completed there, in time for their deadline or late")
                    .tags("outcome", inTime ? "in_time" : "late").register(registry).increment();
        }
    }

    /** Jobs waiting under a spent budget whose policy is queue, cluster-wide (read from the job store). */
    void budgetQueued(java.util.function.Supplier<Number> waiting) {
        io.micrometer.core.instrument.Gauge.builder(BUDGET_QUEUED, waiting)
                .description("Jobs waiting for an owned engine or their budget (when_exhausted: queue)")
                .register(registry);
    }

    /** A dispatch-time fallback, counted on the same meter as the router's route-time fallbacks. */
    public void fallback(String from, String to, String reason) {
        routing.fallback(from, to, reason);
    }
}
