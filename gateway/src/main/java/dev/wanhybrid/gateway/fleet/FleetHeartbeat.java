package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Records this instance's heartbeat every {@code gateway.fleet.heartbeat-interval} while its local backend has
 * loaded engines, and removes the row at shutdown; a killed worker's row simply goes stale.
 */
public class FleetHeartbeat implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FleetHeartbeat.class);

    private final LocalBackend local;
    private final HeartbeatStore store;
    private final FleetProperties properties;
    private final Supplier<String> instanceId;
    private final Clock clock;
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean recorded;

    /**
     * @param instanceId the dispatcher's lease owner id, read late because the dispatcher chooses it
     */
    public FleetHeartbeat(LocalBackend local, HeartbeatStore store, FleetProperties properties,
            Supplier<String> instanceId, Clock clock) {
        this.local = local;
        this.store = store;
        this.properties = properties;
        this.instanceId = instanceId;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null || local.servedModels().isEmpty()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("fleet-heartbeat")
                .daemon(true).factory());
        long period = properties.heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::beatSafely, 0, period, TimeUnit.MILLISECONDS);
        log.info("heartbeating local engines {} as {} every {}", local.servedModels(), instanceId.get(),
                properties.heartbeatInterval());
    }

    /** Writes one heartbeat now. */
    public void beat() {
        Set<String> models = local.servedModels();
        LocalQueueState queue = local.queue();
        boolean ready = local.readiness().ready();
        int free = queue.capacity() <= 0 ? 0 : Math.max(0, queue.capacity() - queue.queued() - queue.running());
        store.record(new Heartbeat(instanceId.get(), models, ready ? queue.workers() : 0, queue.capacity(), free,
                queue.queued(), queue.running(), queue.estimatedWait(), clock.instant()));
        recorded = true;
    }

    private void beatSafely() {
        try {
            beat();
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler = null;
        if (recorded) {
            try {
                // Routers stop counting this worker at once instead of after the staleness window.
                store.remove(instanceId.get());
            } catch (RuntimeException e) {
                log.warn("could not remove the heartbeat at shutdown: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** Stops before the dispatcher hands its jobs back, so routers stop sending work here first. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 50;
    }
}
