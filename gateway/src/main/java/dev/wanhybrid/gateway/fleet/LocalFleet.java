package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.routing.BackendHealth;
import dev.wanhybrid.gateway.routing.LocalQueueState;
import dev.wanhybrid.gateway.routing.SharedLocalState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The local fleet read from PostgreSQL: live workers from fresh heartbeats, waiting work from the jobs table, so
 * every replica routes to, meters and scales on the same local queue.
 */
public class LocalFleet implements SharedLocalState {

    private final GatewayRole role;
    private final HeartbeatStore store;
    private final FleetProperties properties;
    private final Duration serviceTime;
    private final Clock clock;

    /**
     * @param serviceTime assumed device time of one video, for the wait of jobs no worker has taken yet
     */
    public LocalFleet(GatewayRole role, HeartbeatStore store, FleetProperties properties, Duration serviceTime,
            Clock clock) {
        this.role = role;
        this.store = store;
        this.properties = properties;
        this.serviceTime = serviceTime;
        this.clock = clock;
    }

    @Override
    public boolean active() {
        return role.sharesLocalState();
    }

    /** Workers whose heartbeat is fresh now. */
    public List<Heartbeat> liveWorkers() {
        return store.seenSince(clock.instant().minus(properties.staleAfter()));
    }

    @Override
    public BackendHealth health(BackendHealth inProcess) {
        List<Heartbeat> live = liveWorkers();
        Set<String> served = new TreeSet<>();
        int workers = 0;
        for (Heartbeat beat : live) {
            if (beat.readyWorkers() > 0) {
                served.addAll(beat.models());
                workers += beat.readyWorkers();
            }
        }
        if (inProcess != null && inProcess.ready()) {
            served.addAll(inProcess.servedModels());
        }
        String breaker = inProcess == null ? "CLOSED" : inProcess.breakerState();
        if (served.isEmpty()) {
            return new BackendHealth(LocalBackend.ID, false, breaker, "no GPU worker has sent a heartbeat in the last "
                    + properties.staleAfter().toSeconds() + " s" + (inProcess == null ? "" : " (here: "
                    + inProcess.detail() + ")"), Set.of());
        }
        return new BackendHealth(LocalBackend.ID, true, breaker, live.size() + " live worker instance(s), "
                + workers + " engine worker(s) serving " + String.join(", ", served), served);
    }

    @Override
    public LocalQueueState queue() {
        List<Heartbeat> live = liveWorkers();
        long waiting = store.waitingLocalJobs(LocalBackend.ID);
        int queued = 0;
        int running = 0;
        int workers = 0;
        int capacity = 0;
        Duration soonest = null;
        for (Heartbeat beat : live) {
            queued += beat.queued();
            running += beat.running();
            workers += beat.readyWorkers();
            capacity += beat.capacity();
            soonest = soonest == null || beat.estimatedWait().compareTo(soonest) < 0 ? beat.estimatedWait() : soonest;
        }
        // Jobs no worker has taken yet wait for the soonest free engine, then spread over every engine worker.
        Duration wait = (soonest == null ? Duration.ZERO : soonest)
                .plus(serviceTime.multipliedBy(waiting).dividedBy(Math.max(1, workers)));
        // No live worker: capacity 0 would mean unbounded, but health already rules local out then.
        return new LocalQueueState(queued + (int) Math.min(Integer.MAX_VALUE, waiting), running, workers, capacity,
                wait);
    }
}
