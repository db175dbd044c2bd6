package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.routing.RoutingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
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
    private final MeterRegistry registry;
    private final RoutingMetrics routing;
    private final io.micrometer.core.instrument.DistributionSummary submitGroups;

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
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
