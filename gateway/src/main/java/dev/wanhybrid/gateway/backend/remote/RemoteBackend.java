package dev.wanhybrid.gateway.backend.remote;

import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendException.Kind;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.InputImages;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.RemoteLoad;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.TaskSnapshot.State;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote self-hosted video server (vLLM-Omni, or a server that only offers {@code /v1/videos/sync}) behind the
 * {@link VideoBackend} port. Its id is the configured name, so the job row's {@code backend} column binds each job
 * to the server that accepted it: status, content and cancel go there after a restart and from any replica.
 *
 * <p>It counts the jobs it has outstanding there and measures each finished job's service time (the server's
 * {@code inference_time_s}) per model, size and length, which routing reads through {@link RemoteLoad}.
 */
public final class RemoteBackend implements VideoBackend, RemoteLoad.Source {

    private static final Logger log = LoggerFactory.getLogger(RemoteBackend.class);
    private static final double SMOOTHING = 0.3;
    /** Task ids of blocking {@code /v1/videos/sync} calls, which live only in the process that makes them. */
    private static final String SYNC_PREFIX = "sync-";
    /** The failure code of a sync job whose gateway process stopped during the call. */
    static final String SYNC_INTERRUPTED = "remote_sync_interrupted";

    private final RemoteEngineProperties.Engine engine;
    private final InputImages images;
    private final VllmOmniClient client;
    private final Map<String, RemoteEngineProperties.Model> models = new LinkedHashMap<>();
    private final GpuFleet fleet;
    private final Map<String, Outstanding> outstanding = new ConcurrentHashMap<>();
    private final Map<String, Double> measuredSeconds = new ConcurrentHashMap<>();
    private final Map<String, SyncTask> syncTasks = new ConcurrentHashMap<>();

    private record Outstanding(String model, VideoSize size, int seconds, long sinceNanos) {}

    /** A blocking {@code /v1/videos/sync} call run on its own thread; its MP4 lands in a temporary file. */
    private static final class SyncTask {
        volatile State state = State.RUNNING;
        volatile Path file;
        volatile String error;
        volatile Thread thread;
    }

    /**
     * @param images reads the first frame of an image-to-video request (an upload or a URL), sent to the server as
     *     the {@code input_reference} file part
     */
    public RemoteBackend(RemoteEngineProperties.Engine engine, InputImages images) {
        this.engine = engine;
        this.images = images;
        this.client = new VllmOmniClient(engine.name(), engine.baseUrl(), engine.apiKey(), engine.requestTimeout());
        engine.models().forEach(m -> models.put(m.id(), m));
        this.fleet = engine.gpu().fleet();
    }

    @Override
    public String id() {
        return engine.name();
    }

    public RemoteEngineProperties.Engine engine() {
        return engine;
    }

    /** Readiness is configuration only (free, no call); a server that stops answering opens its breaker. */
    @Override
    public BackendReadiness readiness() {
        return BackendReadiness.ready("remote engine " + engine.name() + " (" + engine.api().name().toLowerCase()
                + ", " + models.size() + " model(s))");
    }

    @Override
    public Optional<Duration> unreachableLimit() {
        return Optional.of(engine.unreachableAfter());
    }

    /** The team's own GPUs: running a lost job again bills nobody. */
    @Override
    public boolean resubmitsAtNoCost() {
        return true;
    }

    @Override
    public String submit(BackendTask task) throws BackendException {
        RemoteEngineProperties.Model model = models.get(task.model());
        if (model == null) {
            throw new BackendException(Kind.INVALID_INPUT, "model_not_served", "The remote engine " + engine.name()
                    + " does not serve " + task.model() + ".");
        }
        if (outstanding.size() + syncTasks.size() >= engine.maxConcurrent()) {
            throw new BackendException(Kind.REFUSED, "remote_full", "The remote engine " + engine.name() + " has "
                    + engine.maxConcurrent() + " jobs outstanding, its max-concurrent.");
        }
        VideoSize size = task.spec().size() != null ? task.spec().size() : VideoSize.parse(model.sizes().getFirst());
        Map<String, String> form = VllmOmniClient.form(task.spec(), model, size);
        VllmOmniClient.InputFile image = inputImage(task);
        Outstanding entry = new Outstanding(model.id(), size, task.spec().seconds(), System.nanoTime());
        if (engine.api() == RemoteEngineProperties.Api.VLLM_OMNI_SYNC) {
            return submitSync(form, image, entry);
        }
        VllmOmniClient.Video video = client.create(form, image);
        if (video.id() == null) {
            throw new BackendException(Kind.ACCEPTANCE_UNKNOWN, "bad_response", "The remote engine "
                    + engine.name() + " accepted the job without an id.");
        }
        outstanding.put(video.id(), entry);
        return video.id();
    }

    /** The image-to-video first frame, read once at submission (an upload from the store, a URL fetched safely). */
    private VllmOmniClient.InputFile inputImage(BackendTask task) throws BackendException {
        if (task.spec().inputImage() == null) {
            return null;
        }
        try {
            return VllmOmniClient.InputFile.image(images.read(task.spec().inputImage()));
        } catch (IOException | RuntimeException e) {
            throw new BackendException(Kind.INVALID_INPUT, "input_image_unreadable",
                    "The input image could not be read: " + e.getMessage());
        }
    }

    private String submitSync(Map<String, String> form, VllmOmniClient.InputFile image, Outstanding entry) {
        String id = SYNC_PREFIX + UUID.randomUUID();
        SyncTask t = new SyncTask();
        syncTasks.put(id, t);
        outstanding.put(id, entry);
        t.thread = Thread.ofVirtual().name("remote-sync-" + engine.name()).start(() -> {
            try (InputStream in = client.createSync(form, image)) {
                Path file = Files.createTempFile("remote-" + engine.name() + "-", ".mp4");
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                t.file = file;
                measure(entry, (System.nanoTime() - entry.sinceNanos()) / 1e9);
                t.state = State.SUCCEEDED;
            } catch (BackendException | IOException | RuntimeException e) {
                t.error = e.getMessage();
                t.state = Thread.currentThread().isInterrupted() ? State.CANCELED : State.FAILED;
            } finally {
                outstanding.remove(id);
            }
        });
        return id;
    }

    @Override
    public TaskSnapshot poll(String taskId) throws BackendException {
        if (taskId.startsWith(SYNC_PREFIX)) {
            SyncTask t = syncTasks.get(taskId);
            if (t == null) {
                // The blocking call ran in a gateway process that is gone (a restart, or a replica that stopped):
                // its answer is lost, and the server may have made the video. Submitting again would spend its GPUs
                // twice, so the job fails, clearly, and the caller decides.
                return snapshot(taskId, State.FAILED, -1, null, SYNC_INTERRUPTED, "The gateway stopped while its"
                        + " blocking /v1/videos/sync call to the remote engine " + engine.name() + " ran, so the"
                        + " answer was lost. The job is not sent again, so the engine's GPUs do not make it twice;"
                        + " create it again to retry.");
            }
            return snapshot(taskId, t.state, -1, null, t.state == State.FAILED ? "generation_failed" : null, t.error);
        }
        Optional<VllmOmniClient.Video> found = client.retrieve(taskId);
        if (found.isEmpty()) {
            outstanding.remove(taskId);
            return snapshot(taskId, State.UNKNOWN, -1, null, null, null);
        }
        VllmOmniClient.Video v = found.get();
        State state = switch (v.status()) {
            case "queued" -> State.PENDING;
            case "in_progress" -> State.RUNNING;
            case "completed" -> State.SUCCEEDED;
            case "failed" -> "video_generation_cancelled".equals(v.errorCode()) ? State.CANCELED : State.FAILED;
            default -> throw new BackendException(Kind.UNKNOWN, "bad_response", "The remote engine " + engine.name()
                    + " reported the unknown status '" + v.status() + "'.");
        };
        BigDecimal gpuSeconds = null;
        if (state.isTerminal()) {
            Outstanding entry = outstanding.remove(taskId);
            Double service = v.inferenceSeconds() != null ? v.inferenceSeconds()
                    : v.completedAt() != null && v.createdAt() != null ? (double) (v.completedAt() - v.createdAt()) : null;
            if (state == State.SUCCEEDED && service != null) {
                gpuSeconds = BigDecimal.valueOf(service * fleet.count()).setScale(3, RoundingMode.HALF_UP);
                if (entry != null) {
                    measure(entry, service);
                }
            }
        } else {
            // After a gateway restart the count starts empty: every job polled while unfinished is outstanding again.
            outstanding.putIfAbsent(taskId, new Outstanding(v.model(), null, 0, System.nanoTime()));
        }
        String code = state == State.FAILED ? (v.errorCode() == null ? "generation_failed" : v.errorCode()) : null;
        return new TaskSnapshot(taskId, state, v.progress(), null, null, gpuSeconds, code,
                state == State.FAILED ? v.errorMessage() : null);
    }

    private static TaskSnapshot snapshot(String id, State state, int progress, BigDecimal gpu, String code,
            String message) {
        return new TaskSnapshot(id, state, progress, null, null, gpu, code, message);
    }

    /** {@code DELETE /v1/videos/{id}}: vLLM-Omni cancels a queued or running generation, then drops the record. */
    @Override
    public void cancel(String taskId) throws BackendException {
        if (taskId.startsWith(SYNC_PREFIX)) {
            SyncTask t = syncTasks.get(taskId);
            if (t != null && t.thread != null && !t.state.isTerminal()) {
                t.thread.interrupt();
            }
            return;
        }
        client.delete(taskId);
        outstanding.remove(taskId);
    }

    @Override
    public InputStream openResult(TaskSnapshot snapshot) throws IOException, BackendException {
        if (snapshot.taskId().startsWith(SYNC_PREFIX)) {
            SyncTask t = syncTasks.remove(snapshot.taskId());
            if (t == null || t.file == null) {
                throw new BackendException(Kind.UNAVAILABLE, "result_gone", "The result of " + snapshot.taskId()
                        + " is no longer held by this gateway.");
            }
            Path file = t.file;
            return new java.io.FilterInputStream(Files.newInputStream(file)) {
                @Override
                public void close() throws IOException {
                    super.close();
                    Files.deleteIfExists(file);
                }
            };
        }
        return client.content(snapshot.taskId());
    }

    /**
     * vLLM-Omni takes no idempotency key, so a creation whose answer was lost is found by its model and prompt among
     * the server's recent jobs that no other job of ours holds; none there means it never arrived.
     */
    @Override
    public Optional<String> reconcile(BackendTask task) throws BackendException {
        RemoteEngineProperties.Model model = models.get(task.model());
        if (model == null || engine.api() == RemoteEngineProperties.Api.VLLM_OMNI_SYNC) {
            return Optional.empty();
        }
        return client.list().stream()
                .filter(v -> model.servedName().equals(v.model()) && task.spec().prompt().equals(v.prompt())
                        && !"failed".equals(v.status()) && v.id() != null && !outstanding.containsKey(v.id()))
                .findFirst()
                .map(v -> {
                    outstanding.put(v.id(), new Outstanding(model.id(), task.spec().size(), task.spec().seconds(),
                            System.nanoTime()));
                    return v.id();
                });
    }

    private void measure(Outstanding entry, double seconds) {
        if (entry.size() == null || entry.seconds() <= 0 || seconds <= 0) {
            return;
        }
        measuredSeconds.merge(key(entry.model(), entry.size(), entry.seconds()), seconds,
                (old, now) -> old + SMOOTHING * (now - old));
        log.debug("remote engine {}: {} {} {}s took {} s", engine.name(), entry.model(), entry.size(), entry.seconds(),
                seconds);
    }

    private static String key(String model, VideoSize size, int seconds) {
        return model + "|" + size + "|" + seconds;
    }

    @Override
    public RemoteLoad load() {
        Map<String, Double> measured = Map.copyOf(measuredSeconds);
        long now = System.nanoTime();
        double wait = 0;
        for (Outstanding o : outstanding.values()) {
            double expected = o.size() == null ? expectedSeconds(measured, o.model(), null, 0)
                    : expectedSeconds(measured, o.model(), o.size(), o.seconds());
            wait += Math.max(0, expected - (now - o.sinceNanos()) / 1e9);
        }
        int n = outstanding.size();
        LocalQueueState queue = new LocalQueueState(Math.max(0, n - 1), Math.min(n, 1), 1, engine.maxConcurrent(),
                Duration.ofMillis((long) Math.ceil(wait * 1000)));
        return new Snapshot(queue, measured);
    }

    /** The measured seconds for this clip, else the model's configured time per second times its length. */
    private double expectedSeconds(Map<String, Double> measured, String model, VideoSize size, int seconds) {
        if (size != null) {
            Double m = measured.get(key(model, size, seconds));
            if (m != null) {
                return m;
            }
        }
        RemoteEngineProperties.Model configured = models.get(model);
        if (configured == null) {
            configured = models.values().stream().filter(c -> c.servedName().equals(model)).findFirst()
                    .orElse(models.values().iterator().next());
        }
        int length = seconds > 0 ? seconds : configured.maxSeconds();
        return configured.serviceTimePerSecond().toMillis() / 1000.0 * length;
    }

    /** One immutable reading of this server's load. */
    private final class Snapshot implements RemoteLoad {
        private final LocalQueueState queue;
        private final Map<String, Double> measured;

        Snapshot(LocalQueueState queue, Map<String, Double> measured) {
            this.queue = queue;
            this.measured = measured;
        }

        @Override
        public LocalQueueState queue() {
            return queue;
        }

        @Override
        public Duration serviceTime(String model, VideoSize size, int seconds) {
            return Duration.ofMillis((long) Math.ceil(expectedSeconds(measured, model, size, seconds) * 1000));
        }

        @Override
        public BigDecimal usdFor(Duration serviceTime) {
            return usdForGpuSeconds(BigDecimal.valueOf(serviceTime.toMillis()).movePointLeft(3)
                    .multiply(BigDecimal.valueOf(fleet.count())));
        }

        @Override
        public BigDecimal usdForGpuSeconds(BigDecimal gpuSeconds) {
            return fleet.marginalCostPerGpuSecond().amount().multiply(gpuSeconds).setScale(6, RoundingMode.HALF_UP)
                    .stripTrailingZeros();
        }
    }
}
