package dev.wanhybrid.gateway.backend;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    public BreakerProber(List<ResilientVideoBackend> backends, Duration interval) {
        this.backends = List.copyOf(backends);
        this.interval = interval;
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
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon(true)
                .name("breaker-prober").factory());
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::probeHalfOpen, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
