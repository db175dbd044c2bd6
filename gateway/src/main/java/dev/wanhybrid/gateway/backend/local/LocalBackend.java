package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.LoraSelection;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.InputImages;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local backend: an in-process queue in front of one worker per device, each running a {@link VideoEngine}.
 * A worker that frees up takes the queued task with the earliest deadline ({@link BackendTask#dueBy()}), then the
 * earliest arrival; tasks without a deadline come after every task with one, in arrival order. That is the order
 * of the routing core's {@link LocalSchedule}, whose admission promised the deadlines.
 *
 * <p>The queue's capacity is the {@code local} bulkhead: a permit is taken when a task is queued and returned when
 * it finishes, so {@code resilience4j_bulkhead_available_concurrent_calls{name="local"}} is the free room. Tasks
 * live in memory only: after a restart {@link #poll} answers {@code UNKNOWN} and the dispatcher submits the job
 * again, which costs nothing locally. Cancellation interrupts the worker; the engine stops between steps.
 *
 * <p>Pre-emption ({@link #suspend}): a running task asked to suspend stops at its next step boundary, keeps its
 * state in memory ({@link SuspendedGeneration}) and queues again under the same task id, in deadline order; a
 * worker that takes it resumes it where it stopped. It keeps its queue permit throughout, its poll says
 * {@code PENDING} with its progress while it waits, and its GPU time is the sum of its runs. The router names the
 * task to suspend for a newcomer ({@link BackendTask#preempts()}), which is asked once the newcomer is queued, so
 * the freed worker takes the newcomer (due earlier) and not the suspended task.
 */
public class LocalBackend implements VideoBackend, LocalCapacity, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalBackend.class);

    private final LocalProperties properties;
    private final List<VideoEngine> engines;
    private final Bulkhead bulkhead;
    private final Clock clock;
    private final String notReadyDetail;
    // One queue per loaded model: a worker only takes tasks for the model its engine holds. Earliest deadline
    // first, then arrival: the routing core's LocalSchedule order, which its admission assumed.
    private final Map<String, PriorityBlockingQueue<LocalTask>> queues = new ConcurrentHashMap<>();
    private final AtomicLong arrivals = new AtomicLong();
    private final InputImages images;
    private final ConcurrentHashMap<String, LocalTask> tasks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> taskByJob = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger readyWorkers = new AtomicInteger();
    private final Timer queueWait;
    private volatile Duration meanServiceTime;
    private final boolean ownsEngines;
    /** Whether every engine can suspend a run and resume it ({@link VideoEngine#suspends()}). */
    private final boolean suspends;
    /** Suspended runs kept on disk, so that a restarted gateway resumes them. */
    private final SuspendedRunFiles suspendedRuns;
    /** When files of suspended runs nobody took back are next looked for. */
    private volatile Instant nextSuspendedPurge = Instant.MIN;
    /** How often, and after how long unclaimed, such files are deleted. */
    static final Duration SUSPENDED_PURGE_EVERY = Duration.ofMinutes(10);
    static final Duration SUSPENDED_KEPT_UNCLAIMED = Duration.ofDays(1);
    private final Counter suspensions;
    private final Counter suspensionFailures;
    private final Counter checkpoints;

    /**
     * @param engines one loaded engine per device; empty when there are no weights (the backend then refuses work
     *     and its readiness says why: {@code notReadyDetail})
     */
    public LocalBackend(LocalProperties properties, List<VideoEngine> engines, String notReadyDetail,
            Bulkhead bulkhead, MeterRegistry meters, Clock clock) {
        this(properties, engines, true, notReadyDetail, bulkhead, meters, clock);
    }

    /**
     * @param ownsEngines whether {@link #close()} closes the engines too (not when they are beans of their own,
     *     which the container closes)
     */
    public LocalBackend(LocalProperties properties, List<VideoEngine> engines, boolean ownsEngines,
            String notReadyDetail, Bulkhead bulkhead, MeterRegistry meters, Clock clock) {
        this(properties, engines, ownsEngines, notReadyDetail, bulkhead, meters, clock, null);
    }

    /**
     * @param images reads a request's input image for image-to-video ({@code null}: image-to-video is refused)
     */
    public LocalBackend(LocalProperties properties, List<VideoEngine> engines, boolean ownsEngines,
            String notReadyDetail, Bulkhead bulkhead, MeterRegistry meters, Clock clock, InputImages images) {
        this.images = images;
        this.ownsEngines = ownsEngines;
        this.properties = properties;
        this.engines = List.copyOf(engines);
        this.notReadyDetail = notReadyDetail;
        this.bulkhead = bulkhead;
        this.clock = clock;
        this.meanServiceTime = properties.defaultServiceTime();
        this.suspends = !this.engines.isEmpty() && this.engines.stream().allMatch(VideoEngine::suspends);
        this.suspendedRuns = new SuspendedRunFiles(properties.workDir().resolve("suspended"));
        this.suspensions = Counter.builder("gateway.local.suspensions")
                .description("Local runs suspended at a step boundary to make room for a job due earlier (pre-emption)")
                .register(meters);
        this.checkpoints = Counter.builder("gateway.local.checkpoints")
                .description("Running local generations whose state was written to disk at a step boundary"
                        + " (gateway.local.checkpoint-every)")
                .register(meters);
        this.suspensionFailures = Counter.builder("gateway.local.suspension.failures")
                .description("Local runs that failed while suspending or resuming and started again from the beginning")
                .register(meters);
        for (VideoEngine engine : engines) {
            queues.computeIfAbsent(engine.info().modelId(), id -> new PriorityBlockingQueue<>(16, LocalTask.DEADLINE_ORDER));
        }
        Gauge.builder("gateway.local.queue.depth", this, LocalBackend::queued)
                .description("Local tasks waiting for a worker").register(meters);
        Gauge.builder("gateway.local.workers.ready", readyWorkers, AtomicInteger::get)
                .description("Local workers with a loaded engine, able to take a task").register(meters);
        this.queueWait = Timer.builder("gateway.local.queue.wait")
                .description("Time a local task waited for a worker").register(meters);
        for (int i = 0; i < this.engines.size(); i++) {
            VideoEngine engine = this.engines.get(i);
            Thread worker = Thread.ofPlatform().name("local-worker-" + engine.info().device()).daemon(true)
                    .unstarted(() -> work(engine));
            workers.add(worker);
            readyWorkers.incrementAndGet();
            worker.start();
        }
    }

    @Override
    public String id() {
        return Backend.LOCAL.id();
    }

    @Override
    public BackendReadiness readiness() {
        if (engines.isEmpty()) {
            return BackendReadiness.notReady(notReadyDetail);
        }
        if (readyWorkers.get() == 0) {
            return BackendReadiness.notReady("every local worker has stopped; see the log for the engine failure");
        }
        String loaded = engines.stream().map(e -> e.info().modelId() + " on " + e.info().device())
                .collect(Collectors.joining(", "));
        return BackendReadiness.ready(loaded + "; queue " + (queued() + running.get()) + "/"
                + bulkhead.getBulkheadConfig().getMaxConcurrentCalls());
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(readiness(), servedModels(), queue());
    }

    /** The catalog models the loaded engines serve. */
    public Set<String> servedModels() {
        return engines.stream().map(e -> e.info().modelId()).collect(Collectors.toUnmodifiableSet());
    }

    private int queued() {
        return queues.values().stream().mapToInt(PriorityBlockingQueue::size).sum();
    }



    /** The in-process queue: everything ahead of a new task, spread over the ready workers. */
    public LocalQueueState queue() {
        int queued = queued();
        int busy = running.get();
        int ready = Math.max(1, readyWorkers.get());
        // Everything ahead of a new task, spread over the workers; running tasks count as half done on average.
        Duration ahead = meanServiceTime.multipliedBy(queued * 2L + busy).dividedBy(2L * ready);
        List<LocalQueueState.Task> planned = new ArrayList<>();
        for (LocalTask t : tasks.values()) {
            boolean waiting = t.state == TaskSnapshot.State.PENDING && !t.cancelRequested;
            if (waiting || t.state == TaskSnapshot.State.RUNNING) {
                planned.add(new LocalQueueState.Task(t.model, new VideoSize(t.request.width(), t.request.height()),
                        t.seconds, t.dueBy, waiting ? null : t.startedAt, t.arrival, t.run()));
            }
        }
        return new LocalQueueState(queued, busy, readyWorkers.get(),
                bulkhead.getBulkheadConfig().getMaxConcurrentCalls(), ahead, planned, suspends);
    }

    @Override
    public String submit(BackendTask task) throws BackendException {
        if (engines.isEmpty()) {
            throw new BackendException(BackendException.Kind.REFUSED, "not_ready", notReadyDetail);
        }
        GenerationSpec spec = task.spec();
        if (spec.audio().wantsAudio()) {
            throw new BackendException(BackendException.Kind.INVALID_INPUT, "unsupported",
                    "The local engine makes silent video only.");
        }
        if (!servedModels().contains(task.model())) {
            throw new BackendException(BackendException.Kind.REFUSED, "model_not_loaded",
                    "The local engine has " + servedModels() + " loaded, not " + task.model() + ".");
        }
        VideoEngine engine = engines.stream().filter(e -> e.info().modelId().equals(task.model())).findFirst()
                .orElseThrow();
        if (spec.kind() == TaskKind.I2V && (!engine.info().imageInput() || images == null)) {
            throw new BackendException(BackendException.Kind.INVALID_INPUT, "unsupported",
                    task.model() + " on the local engine does text-to-video only.");
        }
        if (spec.lora() != null && !engine.info().loras().contains(spec.lora())) {
            throw new BackendException(BackendException.Kind.INVALID_INPUT, "unsupported",
                    task.model() + " on the local engine does not have the LoRA '" + spec.lora() + "'.");
        }
        String existing = taskByJob.get(task.jobId());
        if (existing != null) {
            // The same job handed over twice (a retried submit): one task, as a provider with idempotency keys.
            return existing;
        }
        purgeExpired();
        if (!bulkhead.tryAcquirePermission()) {
            throw new BackendException(BackendException.Kind.REFUSED, "queue_full", "The local queue is full ("
                    + bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " tasks).");
        }
        String taskId = "local-" + UUID.randomUUID();
        EngineRequest request;
        try {
            request = request(spec, engine.info());
        } catch (BackendException e) {
            bulkhead.onComplete();
            throw e;
        }
        LocalTask t = new LocalTask(taskId, task.jobId(), task.model(), request, spec.seconds(), clock.instant(),
                task.dueBy(), task.hedgeAt(), arrivals.incrementAndGet(), properties.workDir().resolve(taskId + ".mp4"));
        t.seedGiven = spec.seed() != null;
        if (suspends) {
            resumeFromDisk(t);
        }
        tasks.put(taskId, t);
        taskByJob.put(task.jobId(), taskId);
        queues.get(task.model()).add(t);
        if (task.preempts() != null) {
            // Queued first, so the worker the suspension frees takes this task, due earlier, at its step boundary.
            suspendFor(t, task.preempts());
        }
        return taskId;
    }

    /**
     * A job whose run a previous process suspended (its gateway restarted meanwhile, so the job came back as a new
     * task) continues from that run's step boundary, with that run's GPU time.
     */
    private void resumeFromDisk(LocalTask t) {
        suspendedRuns.find(t.jobId, t.model, t.request, t.seedGiven).ifPresent(saved -> {
            SuspendedGeneration state = saved.state();
            t.suspended = state;
            t.gpuBefore = saved.gpuSeconds();
            t.runs = 1;
            t.onDisk = true;
            t.progress = saved.progress();
            t.workLeftAtStart = workLeft(t.progress);
            log.info("local task {} (job {}) continues the run a previous process suspended, at step {} of {}"
                    + " ({} s of GPU time before)", t.id, t.jobId, state.nextStep(), state.steps(), t.gpuBefore);
        });
    }

    /** Deletes the task's suspended run from disk once nothing may resume it. */
    private void forgetOnDisk(LocalTask t) {
        if (t.onDisk) {
            t.onDisk = false;
            suspendedRuns.delete(t.jobId);
        }
    }

    /** Suspends {@code victim} for {@code newcomer} if it still runs and is due later; otherwise nothing is needed. */
    private void suspendFor(LocalTask newcomer, String victim) {
        LocalTask v = tasks.get(victim);
        if (v == null || LocalTask.DEADLINE_ORDER.compare(newcomer, v) >= 0) {
            log.info("local task {} (job {}) was to suspend task {}, which is gone or not due later; it waits its turn",
                    newcomer.id, newcomer.jobId, victim);
            return;
        }
        suspend(victim, "for task " + newcomer.id + " (job " + newcomer.jobId + "), due " + newcomer.dueBy);
    }

    @Override
    public boolean suspend(String taskId, String why) {
        LocalTask t = tasks.get(taskId);
        if (t == null || !suspends) {
            return false;
        }
        synchronized (t) {
            if (t.state != TaskSnapshot.State.RUNNING || t.hedgeAt != null || t.suspending || t.cancelRequested
                    || t.suspension == null) {
                return false;
            }
            t.suspending = true;
            t.suspension.request();
        }
        suspensions.increment();
        log.info("local task {} (job {}) suspends at its next step boundary, at {} %, {}", t.id, t.jobId, t.progress,
                why);
        return true;
    }

    @Override
    public TaskSnapshot poll(String taskId) {
        LocalTask t = tasks.get(taskId);
        if (t == null) {
            return new TaskSnapshot(taskId, TaskSnapshot.State.UNKNOWN, -1, null, null, null, null, null);
        }
        return t.snapshot(clock.instant());
    }

    @Override
    public void cancel(String taskId) {
        LocalTask t = tasks.get(taskId);
        if (t == null) {
            return;
        }
        synchronized (t) {
            if (t.state == TaskSnapshot.State.PENDING && queues.get(t.model).remove(t)) {
                t.suspended = null;
                t.gpuSeconds = t.runs == 0 ? null : t.gpuBefore;
                t.finish(TaskSnapshot.State.CANCELED, null, "cancelled", "Cancelled while queued.", clock.instant());
                forgetOnDisk(t);
                bulkhead.onComplete();
            } else if (t.state == TaskSnapshot.State.RUNNING && t.worker != null) {
                // The GPU time it used up to now: what a run stopped part-way costs (a hedged job leaving for the cloud).
                t.gpuSeconds = t.gpuBefore.add(t.elapsed(clock.instant()));
                t.cancelRequested = true;
                t.worker.interrupt();
            }
        }
    }

    @Override
    public InputStream openResult(TaskSnapshot snapshot) throws IOException, BackendException {
        if (snapshot.state() != TaskSnapshot.State.SUCCEEDED || snapshot.resultLocation() == null) {
            throw new BackendException(BackendException.Kind.INVALID_INPUT, "not_succeeded",
                    "Task " + snapshot.taskId() + " has no result.");
        }
        return Files.newInputStream(Path.of(snapshot.resultLocation()));
    }

    @Override
    public Optional<String> reconcile(BackendTask task) {
        // Tasks live in this process only: if it does not know the job, no task exists anywhere.
        return Optional.ofNullable(taskByJob.get(task.jobId()));
    }

    private EngineRequest request(GenerationSpec spec, EngineInfo info) throws BackendException {
        int width = spec.size() == null ? info.defaultWidth() : spec.size().width();
        int height = spec.size() == null ? info.defaultHeight() : spec.size().height();
        // Wan wants 4k+1 frames: seconds * 16 fps + 1 is 81 for 5 s.
        int frames = spec.seconds() > 0 ? spec.seconds() * info.fps() + 1 : info.defaultFrames();
        long seed = spec.seed() != null ? spec.seed() : ThreadLocalRandom.current().nextLong(0, Integer.MAX_VALUE);
        EngineRequest request = new EngineRequest(spec.prompt(), spec.negativePrompt(), width, height, frames,
                properties.steps(), properties.guidanceScale(), seed, properties.sampler());
        if (spec.lora() != null) {
            request = request.withLoras(List.of(new LoraSelection(spec.lora(), 1.0)));
        }
        if (spec.kind() == TaskKind.I2V) {
            try {
                // Read once at submission: the engine gets bytes, never a URL.
                request = request.withImage(images.read(spec.inputImage()));
            } catch (IOException | RuntimeException e) {
                throw new BackendException(BackendException.Kind.INVALID_INPUT, "input_image_unreadable",
                        "The input image could not be read: " + e.getMessage());
            }
        }
        return request;
    }

    private void work(VideoEngine engine) {
        try {
            while (!closing) {
                LocalTask t;
                try {
                    t = queues.get(engine.info().modelId()).take();
                } catch (InterruptedException e) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                run(engine, t);
            }
        } finally {
            readyWorkers.decrementAndGet();
        }
    }

    private volatile boolean closing;

    /**
     * A run's suspension: the pre-emption a caller requests ({@link Suspension#request()}), and with
     * {@code gateway.local.checkpoint-every} set, a checkpoint at the first step boundary once that long has passed
     * since the run (or its last checkpoint) started; {@link #checkpoint} says which one stopped the run.
     */
    private final class RunSuspension extends Suspension {
        private volatile Instant nextCheckpoint;
        private volatile boolean checkpoint;

        RunSuspension() {
            schedule();
        }

        void schedule() {
            Duration every = properties.checkpointEvery();
            nextCheckpoint = every.isZero() || !suspends ? null : clock.instant().plus(every);
        }

        @Override
        public boolean suspendsBefore(int step) {
            if (super.suspendsBefore(step)) {
                checkpoint = false;
                return true;
            }
            Instant at = nextCheckpoint;
            checkpoint = at != null && !clock.instant().isBefore(at);
            return checkpoint;
        }
    }

    private void run(VideoEngine engine, LocalTask t) {
        RunSuspension suspension = new RunSuspension();
        SuspendedGeneration from;
        synchronized (t) {
            if (t.state != TaskSnapshot.State.PENDING) {
                return;
            }
            t.state = TaskSnapshot.State.RUNNING;
            t.startedAt = clock.instant();
            t.worker = Thread.currentThread();
            t.suspension = suspension;
            from = t.suspended;
            t.suspended = null;
            if (from == null) {
                t.progress = 0;
            }
        }
        running.incrementAndGet();
        if (from == null) {
            queueWait.record(Duration.between(t.enqueuedAt, clock.instant()));
        }
        boolean requeued = false;
        try {
            Files.createDirectories(t.output.getParent());
            EngineOutcome outcome = from == null ? engine.generate(t.request, p -> t.progress = p, t.output, suspension)
                    : engine.resume(from, p -> t.progress = p, t.output, suspension);
            while (outcome.isSuspended() && suspension.checkpoint && !t.suspending && !t.cancelRequested) {
                // A checkpoint: the state goes to disk and the same worker carries on from it at once.
                from = outcome.suspended();
                checkpoint(t, from);
                suspension.schedule();
                outcome = engine.resume(from, p -> t.progress = p, t.output, suspension);
            }
            if (outcome.isSuspended()) {
                requeued = requeue(t, outcome.suspended());
                return;
            }
            EngineResult result = outcome.result();
            Duration device = result.deviceTime();
            if (t.runs == 0) {
                // The whole run's device time: its checkpointed stretches (in gpuBefore) and the last one.
                long whole = t.gpuBefore.movePointRight(3).longValue() + device.toMillis();
                meanServiceTime = Duration.ofMillis((meanServiceTime.toMillis() * 4 + whole) / 5);
            }
            t.gpuSeconds = t.gpuBefore.add(BigDecimal.valueOf(device.toMillis()).divide(BigDecimal.valueOf(1000), 3,
                    RoundingMode.HALF_UP));
            t.finish(TaskSnapshot.State.SUCCEEDED, result.mp4().toUri(), null, null, clock.instant());
        } catch (InterruptedException e) {
            t.finish(TaskSnapshot.State.CANCELED, null, "cancelled", "Cancelled while running.", clock.instant());
        } catch (EngineException e) {
            if (t.cancelRequested) {
                t.finish(TaskSnapshot.State.CANCELED, null, "cancelled", "Cancelled while running.", clock.instant());
            } else if (!e.isInvalidRequest() && (requeued = restartAfterSuspensionFailure(t, from, e))) {
                return;
            } else {
                t.finish(TaskSnapshot.State.FAILED, null, e.isInvalidRequest() ? "invalid_request" : "engine_failed",
                        e.getMessage(), clock.instant());
            }
        } catch (IOException | RuntimeException e) {
            if (requeued = restartAfterSuspensionFailure(t, from, e)) {
                return;
            }
            log.warn("local task {} failed: {}", t.id, e.toString());
            t.finish(TaskSnapshot.State.FAILED, null, "engine_failed", "The local engine failed: "
                    + e.getClass().getSimpleName(), clock.instant());
        } finally {
            Thread.interrupted();
            synchronized (t) {
                t.worker = null;
                t.suspension = null;
            }
            running.decrementAndGet();
            if (!requeued) {
                if (!closing) {
                    // Finished one way or another; a run stopped by a shutdown keeps its file for the restart.
                    forgetOnDisk(t);
                }
                bulkhead.onComplete();
            }
        }
    }

    /**
     * A checkpoint of a running task: its state is written to disk with the GPU time so far, which this stretch of the
     * run adds to (the next stretch is timed from now), and the run goes on.
     */
    private void checkpoint(LocalTask t, SuspendedGeneration state) {
        Instant now = clock.instant();
        synchronized (t) {
            t.gpuBefore = t.gpuBefore.add(t.elapsed(now));
            t.startedAt = now;
        }
        t.onDisk = suspendedRuns.save(t.jobId, t.request, t.seedGiven, state, t.progress, t.gpuBefore) || t.onDisk;
        checkpoints.increment();
        log.debug("local task {} (job {}) checkpointed at {} %", t.id, t.jobId, t.progress);
    }

    /**
     * A run stopped at its step boundary: the task keeps its state and its queue permit and waits again in deadline
     * order, its GPU time so far added up. Returns false when it was cancelled meanwhile (then it is finished).
     */
    private boolean requeue(LocalTask t, SuspendedGeneration state) {
        synchronized (t) {
            t.gpuBefore = t.gpuBefore.add(t.elapsed(clock.instant()));
            t.runs++;
            t.suspending = false;
            t.startedAt = null;
            if (t.cancelRequested) {
                t.finish(TaskSnapshot.State.CANCELED, null, "cancelled", "Cancelled while suspended.", clock.instant());
                return false;
            }
            t.suspended = state;
            t.workLeftAtStart = workLeft(t.progress);
            t.state = TaskSnapshot.State.PENDING;
        }
        t.onDisk = suspendedRuns.save(t.jobId, t.request, t.seedGiven, state, t.progress, t.gpuBefore) || t.onDisk;
        queues.get(t.model).add(t);
        log.info("local task {} (job {}) suspended at {} % after {} s of GPU time; queued to resume", t.id, t.jobId,
                t.progress, t.gpuBefore);
        return true;
    }

    /**
     * A run that failed while suspending or resuming (saving or restoring its state) starts again from the beginning,
     * once: pre-emption must never cost a job its video, only GPU time. Other failures, and a second one, fail the
     * task as before. Returns whether it was queued again.
     */
    private boolean restartAfterSuspensionFailure(LocalTask t, SuspendedGeneration from, Exception e) {
        synchronized (t) {
            if (t.restarted || t.cancelRequested || !(t.suspending || from != null)) {
                return false;
            }
            t.restarted = true;
            t.gpuBefore = t.gpuBefore.add(t.elapsed(clock.instant()));
            t.suspending = false;
            t.suspended = null;
            t.startedAt = null;
            t.progress = -1;
            t.workLeftAtStart = 1;
            t.state = TaskSnapshot.State.PENDING;
        }
        forgetOnDisk(t);
        suspensionFailures.increment();
        log.warn("local task {} (job {}) failed while {} ({}); it starts again from the beginning", t.id, t.jobId,
                from != null ? "resuming" : "suspending", e.toString());
        queues.get(t.model).add(t);
        return true;
    }

    /** The share of a run's work left at {@code percent} progress (the engine's percent of the whole run). */
    static double workLeft(int percent) {
        return percent < 0 ? 1 : Math.max(0, Math.min(1, (100 - percent) / 100.0));
    }

    private void purgeExpired() {
        Instant wallClock = Instant.now(); // files carry the file system's times
        if (wallClock.isAfter(nextSuspendedPurge)) {
            nextSuspendedPurge = wallClock.plus(SUSPENDED_PURGE_EVERY);
            int removed = suspendedRuns.purge(taskByJob::containsKey, wallClock.minus(SUSPENDED_KEPT_UNCLAIMED));
            if (removed > 0) {
                log.info("deleted {} suspended run(s) kept on disk that no job took back within {}", removed,
                        SUSPENDED_KEPT_UNCLAIMED);
            }
        }
        Instant cutoff = clock.instant().minus(properties.retention());
        tasks.values().removeIf(t -> {
            if (t.finishedAt != null && t.finishedAt.isBefore(cutoff)) {
                taskByJob.remove(t.jobId, t.id);
                try {
                    Files.deleteIfExists(t.output);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", t.output, e.toString());
                }
                return true;
            }
            return false;
        });
    }

    /** Stops the workers and frees the engines. */
    @Override
    public void close() {
        closing = true;
        workers.forEach(Thread::interrupt);
        for (Thread w : workers) {
            try {
                w.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownsEngines) {
            engines.forEach(VideoEngine::close);
        }
    }

    /** One task and its mutable state; fields are read by pollers while a worker writes them. */
    private static final class LocalTask {
        final String id;
        final String jobId;
        final String model;
        final EngineRequest request;
        final int seconds;
        final Instant enqueuedAt;
        final Instant dueBy;
        /** Its hedge point when it is a hedged run (never suspended); {@code null} otherwise. */
        final Instant hedgeAt;
        /** Epoch seconds by which it must be finished; {@code +Infinity} without a deadline. */
        final double due;
        volatile Instant startedAt;
        final long arrival;
        final Path output;
        volatile TaskSnapshot.State state = TaskSnapshot.State.PENDING;
        volatile int progress = -1;
        volatile Thread worker;
        volatile boolean cancelRequested;
        volatile URI result;
        volatile BigDecimal gpuSeconds;
        volatile String errorCode;
        volatile String errorMessage;
        volatile Instant finishedAt;
        /** The current run's suspension, while it runs. */
        volatile Suspension suspension;
        /** Asked to suspend; its run has not reached its step boundary yet. */
        volatile boolean suspending;
        /** Where its last run stopped, while it waits to resume; {@code null} otherwise. */
        volatile SuspendedGeneration suspended;
        /** Runs that ended in a suspension. */
        volatile int runs;
        /** The GPU time of those runs. */
        volatile BigDecimal gpuBefore = BigDecimal.ZERO.setScale(3);
        /** Whether the caller gave the seed (else the request's seed was drawn here). */
        volatile boolean seedGiven;
        /** Whether a suspended run of it is kept on disk ({@link SuspendedRunFiles}). */
        volatile boolean onDisk;
        /** Whether it already started again from the beginning after a suspension or resume failed. */
        volatile boolean restarted;
        /** The share of its work its current or next run starts with. */
        volatile double workLeftAtStart = 1;

        static final java.util.Comparator<LocalTask> DEADLINE_ORDER =
                (a, b) -> LocalSchedule.deadlineOrder(a.due, a.arrival, b.due, b.arrival);

        LocalTask(String id, String jobId, String model, EngineRequest request, int seconds, Instant enqueuedAt,
                Instant dueBy, Instant hedgeAt, long arrival, Path output) {
            this.hedgeAt = hedgeAt;
            this.id = id;
            this.jobId = jobId;
            this.model = model;
            this.request = request;
            this.seconds = seconds;
            this.enqueuedAt = enqueuedAt;
            this.dueBy = dueBy;
            this.due = dueBy == null ? Double.POSITIVE_INFINITY : dueBy.getEpochSecond() + dueBy.getNano() / 1e9;
            this.arrival = arrival;
            this.output = output;
        }

        synchronized void finish(TaskSnapshot.State to, URI location, String code, String message, Instant at) {
            result = location;
            errorCode = code;
            errorMessage = message;
            finishedAt = at;
            if (to == TaskSnapshot.State.SUCCEEDED) {
                progress = 100;
            }
            state = to;
        }

        /** While it runs, the GPU time so far (with its progress, how long the rest will take); once done, the measured total. */
        TaskSnapshot snapshot(Instant now) {
            BigDecimal gpu = gpuSeconds;
            if (gpu == null && state == TaskSnapshot.State.RUNNING) {
                BigDecimal run = elapsed(now);
                gpu = run == null ? null : gpuBefore.add(run);
            } else if (gpu == null && runs > 0) {
                gpu = gpuBefore; // suspended, waiting to resume
            }
            return new TaskSnapshot(id, state, progress, result, null, gpu, errorCode, errorMessage);
        }

        /** What pre-emption needs of it ({@link LocalQueueState.Run}); volatile reads, no lock, as the rest of it. */
        LocalQueueState.Run run() {
            return new LocalQueueState.Run(id, jobId, hedgeAt, workLeftAtStart,
                    progress < 0 || state != TaskSnapshot.State.RUNNING ? Double.NaN : workLeft(progress), suspending);
        }

        BigDecimal elapsed(Instant now) {
            Instant started = startedAt;
            return started == null ? null : BigDecimal.valueOf(Math.max(0, Duration.between(started, now).toMillis()))
                    .divide(BigDecimal.valueOf(1000), 3, RoundingMode.HALF_UP);
        }
    }
}
