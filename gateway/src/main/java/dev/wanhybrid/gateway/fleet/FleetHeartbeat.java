package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
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
    private final PeriodicTask schedule;
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
        this.schedule = new PeriodicTask("fleet-heartbeat", Duration.ZERO, properties.heartbeatInterval(),
                this::beat);
    }

    @Override
    public synchronized void start() {
        if (schedule.isRunning() || local.servedModels().isEmpty()) {
            return;
        }
        schedule.start();
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

    @Override
    public synchronized void stop() {
        if (!schedule.isRunning()) {
            return;
        }
        schedule.stop();
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
        return schedule.isRunning();
    }

    /** Stops before the dispatcher hands its jobs back, so routers stop sending work here first. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 50;
    }
}
