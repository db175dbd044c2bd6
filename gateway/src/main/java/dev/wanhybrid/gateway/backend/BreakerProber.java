package dev.wanhybrid.gateway.backend;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Makes the half-open trial of each backend's breaker a real, cheap call ({@link VideoBackend#probe()}: the cloud
 * lists one task, free), so a breaker closes again as soon as its backend answers, whether or not job traffic
 * happens to try it. Bookkeeping (an undecided reconciliation, a local permit refusal) never counts against a
 * breaker, so only these probes and real calls decide.
 */
public final class BreakerProber implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BreakerProber.class);

    private final List<ResilientVideoBackend> backends;
    private final PeriodicTask schedule;

    public BreakerProber(List<ResilientVideoBackend> backends, Duration interval) {
        this.backends = List.copyOf(backends);
        this.schedule = PeriodicTask.every("breaker-prober", interval, this::probeHalfOpen);
    }

    /** One round: every half-open breaker gets one probe. */
    public void probeHalfOpen() {
        for (ResilientVideoBackend backend : backends) {
            if (backend.circuitBreaker().getState() != CircuitBreaker.State.HALF_OPEN) {
                continue;
            }
            try {
                backend.probe();
                log.info("{} breaker probe answered; breaker is {}", backend.id(), backend.circuitBreaker().getState());
            } catch (BackendException e) {
                log.info("{} breaker probe failed ({}); breaker is {}", backend.id(), e.getMessage(),
                        backend.circuitBreaker().getState());
            } catch (RuntimeException e) {
                log.warn("{} breaker probe threw {}", backend.id(), e.toString());
            }
        }
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() {
        schedule.stop();
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }
}
