package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.schedule.PeriodicTask;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.VideoBackend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one scheduler that drives every job of this instance: each tick it claims due jobs (leases in the job
 * store, so several instances share one database) for the backends that are ready here, and runs one step of each
 * on a virtual thread, at most {@code maxConcurrentSteps} at once. Leases are renewed in one statement per
 * renewal period; a crashed instance's jobs are taken over when their leases expire.
 */
@Component
public class JobDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final JobStore store;
    private final JobProcessor processor;
    private final BackendRegistry backends;
    private final JobProperties properties;
    private final Clock clock;
    private final String owner;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
    private final ClaimRoom claimRoom;
    private volatile PeriodicTask scheduler;
    private volatile ExecutorService workers;
    private volatile Instant nextRenewal = Instant.MIN;

    public JobDispatcher(JobStore store, JobProcessor processor, BackendRegistry backends, JobProperties properties,
            Clock clock) {
        this(store, processor, backends, properties, clock, ClaimRoom.UNLIMITED);
    }

    @Autowired
    public JobDispatcher(JobStore store, JobProcessor processor, BackendRegistry backends, JobProperties properties,
            Clock clock, ObjectProvider<ClaimRoom> claimRoom) {
        this(store, processor, backends, properties, clock, claimRoom.getIfAvailable(() -> ClaimRoom.UNLIMITED));
    }

    /**
     * @param claimRoom limits claims of some backends (a GPU worker takes local jobs only up to its free capacity,
     *     leaving the rest to workers that start later)
     */
    public JobDispatcher(JobStore store, JobProcessor processor, BackendRegistry backends, JobProperties properties,
            Clock clock, ClaimRoom claimRoom) {
        this.claimRoom = claimRoom;
        this.store = store;
        this.processor = processor;
        this.backends = backends;
        this.properties = properties;
        this.clock = clock;
        this.owner = properties.instanceId().isBlank() ? "gw-" + UUID.randomUUID() : properties.instanceId();
        this.permits = new Semaphore(properties.maxConcurrentSteps());
    }

    /** This instance's lease owner id. */
    public String owner() {
        return owner;
    }

    @Override
    public synchronized void start() {
        if (!properties.dispatcherEnabled() || scheduler != null) {
            return;
        }
        if (!properties.instanceId().isBlank()) {
            int released = store.releaseLeases(owner);
            if (released > 0) {
                log.info("took back {} jobs leased by this instance id before a restart", released);
            }
        }
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("job-step-", 0).factory());
        scheduler = PeriodicTask.every("job-dispatcher", properties.tick(), this::tick);
        scheduler.start();
        log.info("job dispatcher {} started (lease {}, tick {})", owner, properties.leaseTtl(), properties.tick());
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.stop();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Hand unfinished jobs over at once instead of making others wait for the leases to run out.
            store.releaseLeases(owner);
        } catch (RuntimeException e) {
            log.warn("could not release leases at shutdown: {}", e.toString());
        }
        scheduler = null;
        workers = null;
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** Stops before the web server and the data source go away. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    /** One round: renew leases when due, claim new jobs, start steps for due owned jobs. */
    void tick() {
        Instant now = clock.instant();
        if (!now.isBefore(nextRenewal)) {
            store.renewLeases(owner, now.plus(properties.leaseTtl()));
            nextRenewal = now.plus(properties.leaseTtl().dividedBy(3));
        }
        Set<String> servable = servableBackends();
        int free = permits.availablePermits();
        if (free > 0) {
            int batch = Math.min(free, properties.claimBatch());
            Set<String> unlimited = new LinkedHashSet<>(servable);
            for (String id : servable) {
                OptionalInt room = claimRoom.room(id, owner);
                if (room.isPresent()) {
                    unlimited.remove(id);
                    store.claim(owner, Set.of(id), now, now.plus(properties.leaseTtl()),
                            Math.min(batch, room.getAsInt()));
                }
            }
            store.claim(owner, unlimited, now, now.plus(properties.leaseTtl()), batch);
        }
        List<Job> due = store.dueOwned(owner, now, properties.maxConcurrentSteps() + inFlight.size());
        for (Job job : due) {
            if (inFlight.contains(job.id()) || !permits.tryAcquire()) {
                continue;
            }
            inFlight.add(job.id());
            workers.execute(() -> step(job, servable));
        }
    }

    private void step(Job job, Set<String> servable) {
        try {
            processor.advance(job, owner, servable::contains);
        } catch (RuntimeException e) {
            log.warn("job {}: step in phase {} failed: {}", job.id(), job.phase(), e.toString(), e);
            try {
                store.update(job, owner, clock.instant(),
                        set -> set.nextAttemptAt(clock.instant().plus(properties.retryInterval())), false);
            } catch (RuntimeException ignored) {
                // The next tick sees the row as it is; the lease keeps others away.
            }
        } finally {
            inFlight.remove(job.id());
            permits.release();
        }
    }

    /** Backends this instance claims jobs for: the configured ones, or every backend that is ready here. */
    Set<String> servableBackends() {
        Set<String> ids = new LinkedHashSet<>();
        for (VideoBackend backend : backends.all()) {
            boolean allowed = properties.backends().isEmpty() || properties.backends().contains(backend.id());
            if (allowed && ready(backend)) {
                ids.add(backend.id());
            }
        }
        return ids;
    }

    private static boolean ready(VideoBackend backend) {
        try {
            return backend.readiness().ready();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** For tests: runs one tick now and waits until the steps it started are done. */
    void drainOnce(Duration timeout) throws InterruptedException {
        tick();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
