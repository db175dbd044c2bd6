package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The local fleet read from PostgreSQL: live workers from fresh heartbeats, waiting work from the jobs table, so
 * every replica routes to, meters and scales on the same local queue. In cluster mode it is the local backend's
 * {@link LocalCapacity} that routing and the API read; this process's own engines count too.
 */
public class LocalFleet implements LocalCapacity {

    private final GatewayRole role;
    private final HeartbeatStore store;
    private final JobQueries jobs;
    private final FleetProperties properties;
    private final Duration serviceTime;
    private final Clock clock;
    private final LocalCapacity inProcess;

    /** The fleet as seen from a process without engines of its own. */
    public LocalFleet(GatewayRole role, HeartbeatStore store, JobQueries jobs, FleetProperties properties,
            Duration serviceTime, Clock clock) {
        this(role, store, jobs, properties, serviceTime, clock, null);
    }

    /**
     * @param serviceTime assumed device time of one video, for the wait of jobs no worker has taken yet
     * @param inProcess this process's own local backend, or {@code null}; its models count when it is ready, and its
     *     LoRA registry is the fleet's (every pod runs the same configuration)
     */
    public LocalFleet(GatewayRole role, HeartbeatStore store, JobQueries jobs, FleetProperties properties,
            Duration serviceTime, Clock clock, LocalCapacity inProcess) {
        this.inProcess = inProcess;
        this.jobs = jobs;
        this.role = role;
        this.store = store;
        this.properties = properties;
        this.serviceTime = serviceTime;
        this.clock = clock;
    }

    /** Whether this process reads the local backend from the shared state (false on a single machine). */
    public boolean active() {
        return role.sharesLocalState();
    }

    /** The same fleet without this process's own engines: what the GPU workers alone offer. */
    public LocalFleet workersOnly() {
        return new LocalFleet(role, store, jobs, properties, serviceTime, clock, null);
    }

    /** Workers whose heartbeat is fresh now. */
    public List<Heartbeat> liveWorkers() {
        return store.seenSince(clock.instant().minus(properties.staleAfter()));
    }


    /**
     * One read of the heartbeats and one of the waiting jobs. Ready when this process or a worker with a fresh
     * heartbeat serves models; the queue adds up the live workers' engine queues and the jobs none has taken yet.
     */
    @Override
    public Snapshot snapshot() {
        List<Heartbeat> live = liveWorkers();
        Snapshot here = inProcess == null ? null : inProcess.snapshot();
        Set<String> served = new TreeSet<>();
        int readyWorkers = 0;
        int queued = 0;
        int running = 0;
        int capacity = 0;
        Duration soonest = null;
        for (Heartbeat beat : live) {
            if (beat.readyWorkers() > 0) {
                served.addAll(beat.models());
                readyWorkers += beat.readyWorkers();
            }
            queued += beat.queued();
            running += beat.running();
            capacity += beat.capacity();
            soonest = soonest == null || beat.estimatedWait().compareTo(soonest) < 0 ? beat.estimatedWait() : soonest;
        }
        if (here != null && here.readiness().ready()) {
            served.addAll(here.servedModels());
        }
        BackendReadiness readiness = served.isEmpty()
                ? BackendReadiness.notReady("no GPU worker has sent a heartbeat in the last "
                        + properties.staleAfter().toSeconds() + " s"
                        + (here == null ? "" : " (here: " + here.readiness().detail() + ")"))
                : BackendReadiness.ready(live.size() + " live worker instance(s), " + readyWorkers
                        + " engine worker(s) serving " + String.join(", ", served));
        long waiting = jobs.waiting(Backend.LOCAL.id());
        // Jobs no worker has taken yet wait for the soonest free engine, then spread over every engine worker.
        Duration wait = (soonest == null ? Duration.ZERO : soonest)
                .plus(serviceTime.multipliedBy(waiting).dividedBy(Math.max(1, readyWorkers)));
        // No live worker: capacity 0 would mean unbounded, but readiness already rules local out then.
        LocalQueueState queue = new LocalQueueState(queued + (int) Math.min(Integer.MAX_VALUE, waiting), running,
                readyWorkers, capacity, wait);
        return new Snapshot(readiness, served, queue);
    }
}
