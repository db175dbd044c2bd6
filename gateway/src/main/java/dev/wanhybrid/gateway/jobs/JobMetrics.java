package dev.wanhybrid.gateway.jobs;

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
    public static final String FALLBACKS = "gateway.routing.fallbacks";

    private final MeterRegistry registry;

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
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

    /** A dispatch-time fallback (the router's own decisions are counted by the routing package). */
    public void fallback(String from, String to, String reason) {
        Counter.builder(FALLBACKS).description("Switches to the next route candidate")
                .tags("from", from, "to", to, "reason", reason).register(registry).increment();
    }
}
