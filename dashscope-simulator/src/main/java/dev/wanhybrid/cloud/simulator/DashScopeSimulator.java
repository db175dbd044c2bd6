package dev.wanhybrid.cloud.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wanhybrid.cloud.DashScopeTimes;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.AudioSupport;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.ModelKind;
import dev.wanhybrid.cloud.catalog.UsageShape;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.cloud.catalog.Violation;
import dev.wanhybrid.cloud.internal.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local server that speaks DashScope's asynchronous video-synthesis protocol, for development, CI and the
 * gateway's demo profile: bearer auth, the async header rule, per-model validation with the documented codes,
 * the {@code PENDING -> RUNNING -> SUCCEEDED|FAILED} lifecycle on a controllable clock, cancel, 24 h expiry,
 * rate limits answering 429, usage blocks in each family's shape, and result URLs it serves itself with real MP4
 * bytes. {@link #faults()} injects errors, latency, outages, throttling, stuck tasks and moderation failures.
 *
 * <p>It counts what arrives ({@link #stats()}), so tests can prove that a client never submitted twice or never
 * exceeded the query limit. Binds to the loopback address only.
 */
public final class DashScopeSimulator implements AutoCloseable {

    private static final String API = "/api/v1";
    private static final String CREATE_PATH = API + "/services/aigc/video-generation/video-synthesis";
    private static final String KF2V_PATH = API + "/services/aigc/image2video/video-synthesis";
    private static final String TASKS_PATH = API + "/tasks";
    private static final String RESULTS_PATH = "/results/";

    private final Clock clock;
    private final int inputVideoSeconds;
    private final Set<String> apiKeys;
    private final Duration pendingFor;
    private final Duration runningFor;
    private final Duration taskTtl;
    private final boolean enforceConcurrency;
    private final ModelCatalog catalog;
    private final Region region;
    private final int requestedPort;
    private final Faults faults = new Faults();
    private final Map<String, SimTask> tasks = new ConcurrentHashMap<>();
    private final Map<String, SimTask> byResultToken = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> createBuckets = new ConcurrentHashMap<>();
    private final TokenBucket queryBucket;
    private final Map<String, AtomicLong> submissionsByModel = new ConcurrentHashMap<>();
    private final Counters counters = new Counters();
    private final byte[] silentMp4;
    private final byte[] audioMp4;
    private HttpServer server;
    private ExecutorService executor;

    private DashScopeSimulator(Builder b) {
        this.clock = b.clock;
        this.inputVideoSeconds = b.inputVideoSeconds;
        this.apiKeys = Set.copyOf(b.apiKeys);
        this.pendingFor = b.pendingFor;
        this.runningFor = b.runningFor;
        this.taskTtl = b.taskTtl;
        this.enforceConcurrency = b.enforceConcurrency;
        this.catalog = b.catalog != null ? b.catalog : ModelCatalog.load();
        this.region = b.region;
        this.requestedPort = b.port;
        this.queryBucket = new TokenBucket(b.queriesPerSecond);
        this.silentMp4 = resource("silent.mp4");
        this.audioMp4 = resource("with-audio.mp4");
        for (CloudModel model : catalog.models()) {
            createBuckets.put(model.id(), new TokenBucket(b.enforceCreateRates ? model.createsPerSecond() : 0));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening on 127.0.0.1; returns this for chaining. */
    public synchronized DashScopeSimulator start() {
        if (server != null) {
            return this;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 200);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the simulator to 127.0.0.1:" + requestedPort, e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.close();
            server = null;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The API root a client uses, {@code http://127.0.0.1:<port>/api/v1}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + API);
    }

    public Faults faults() {
        return faults;
    }

    public Clock clock() {
        return clock;
    }

    public Stats stats() {
        return counters.snapshot(submissionsByModel, maxInProgressSeen);
    }

    /** Accepted create requests (tasks created) for one model. */
    public long submissions(String model) {
        AtomicLong n = submissionsByModel.get(model);
        return n == null ? 0 : n.get();
    }

    /**
     * Creates a task directly, without HTTP, validation, limits or counting: for benchmarks that need thousands
     * of tasks in flight faster than the create rate allows.
     */
    public String seedTask(VideoRequest request) {
        CloudModel model = catalog.find(request.model()).orElseThrow(
                () -> new IllegalArgumentException("unknown model " + request.model()));
        return newTask(model, request).id;
    }

    // ---- HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.startsWith(RESULTS_PATH) && method.equals("GET")) {
                serveResult(ex, path.substring(RESULTS_PATH.length()));
                return;
            }
            if (path.startsWith("/sim/")) {
                control(ex, path, method);
                return;
            }
            if (!path.startsWith(API)) {
                error(ex, 404, "NotFound", "no such path " + path);
                return;
            }
            api(ex, path, method);
        } catch (RuntimeException e) {
            error(ex, 500, "InternalError", "simulator error: " + e);
        }
    }

    private void api(HttpExchange ex, String path, String method) throws IOException {
        Duration latency = faults.latency();
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean isQuery = method.equals("GET") && path.startsWith(TASKS_PATH + "/");
        if (isQuery) {
            counters.queryArrived();
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String key = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        if (key == null || !apiKeys.contains(key)) {
            counters.unauthorized.incrementAndGet();
            error(ex, 401, "InvalidApiKey", "Invalid API-key provided.");
            return;
        }
        if (faults.inOutage(clock.instant())) {
            counters.outageAnswers.incrementAndGet();
            error(ex, 503, "ModelUnavailable", "Model is unavailable, please try again later.");
            return;
        }
        if (faults.throttleAll()) {
            counters.throttled.incrementAndGet();
            throttle(ex, "Requests rate limit exceeded, please try again later.");
            return;
        }
        if (faults.randomError()) {
            counters.injectedErrors.incrementAndGet();
            error(ex, 500, faults.errorCode(), "An internal error has occured, please try again later or contact "
                    + "service support.");
            return;
        }
        if (method.equals("POST") && (path.equals(CREATE_PATH) || path.equals(KF2V_PATH))) {
            create(ex, path.equals(KF2V_PATH));
        } else if (isQuery && !path.substring(TASKS_PATH.length() + 1).contains("/")) {
            if (!queryBucket.tryTake()) {
                counters.throttled.incrementAndGet();
                counters.queryThrottled.incrementAndGet();
                throttle(ex, "Requests rate limit exceeded, please try again later.");
                return;
            }
            query(ex, path.substring(TASKS_PATH.length() + 1));
        } else if (method.equals("POST") && path.startsWith(TASKS_PATH + "/") && path.endsWith("/cancel")) {
            cancel(ex, path.substring(TASKS_PATH.length() + 1, path.length() - "/cancel".length()));
        } else if (method.equals("GET") && path.equals(TASKS_PATH)) {
            list(ex);
        } else {
            error(ex, 404, "NotFound", "no such API " + method + " " + path);
        }
    }

    private void create(HttpExchange ex, boolean kf2vPath) throws IOException {
        counters.createAttempts.incrementAndGet();
        if (!"enable".equalsIgnoreCase(ex.getRequestHeaders().getFirst("X-DashScope-Async"))) {
            error(ex, 400, "AccessDenied", "current user api does not support synchronous calls");
            return;
        }
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = Wire.JSON.readTree(in);
        } catch (JacksonException e) {
            error(ex, 400, "InvalidParameter", "The request body is not valid JSON");
            return;
        }
        if (body == null || !body.isObject()) {
            error(ex, 400, "InvalidParameter", "The request body must be a JSON object");
            return;
        }
        if (Wire.text(body, "model") == null) {
            error(ex, 400, "BadRequest.EmptyModel", "Required parameter \"model\" missing from request.");
            return;
        }
        if (!body.path("input").isObject()) {
            error(ex, 400, "BadRequest.EmptyInput", "Required parameter \"input\" missing from request.");
            return;
        }
        VideoRequest request;
        try {
            request = Wire.readCreateBody(body);
        } catch (RuntimeException e) {
            error(ex, 400, "InvalidParameter", "Parameter types are wrong: " + e.getMessage());
            return;
        }
        // Retirement dates are read as days in Beijing time, where the service runs.
        List<Violation> violations = catalog.validate(request, false,
                java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.ofHours(8)));
        if (!violations.isEmpty()) {
            Violation v = violations.getFirst();
            error(ex, 400, v.code(), v.message());
            return;
        }
        CloudModel model = catalog.find(request.model()).orElseThrow();
        if ((model.kind() == ModelKind.KF2V) != kf2vPath) {
            error(ex, 400, "InvalidParameter", "url error, please check url! Model " + request.model()
                    + " is served on " + (model.kind() == ModelKind.KF2V ? KF2V_PATH : CREATE_PATH));
            return;
        }
        String regional = catalog.regionalId(model, region);
        if (!request.model().equals(regional)) {
            error(ex, 400, "InvalidParameter", "Model not exist: " + request.model() + " in this region (use "
                    + regional + ")");
            return;
        }
        String blocked = faults.blockedWordIn(request.prompt());
        if (blocked == null) {
            blocked = faults.blockedWordIn(request.negativePrompt());
        }
        if (blocked != null) {
            counters.moderationRejections.incrementAndGet();
            error(ex, 400, "DataInspectionFailed", "Input data may contain inappropriate content.");
            return;
        }
        if (!createBuckets.get(model.id()).tryTake()) {
            counters.throttled.incrementAndGet();
            throttle(ex, "Requests rate limit exceeded, please try again later.");
            return;
        }
        SimTask task;
        synchronized (this) {
            // The check and the insert are one step, so two racing creates cannot both take the last slot.
            long inProgress = inProgress(model.id());
            if (enforceConcurrency && inProgress >= model.concurrency()) {
                counters.throttled.incrementAndGet();
                counters.concurrencyRejections.incrementAndGet();
                throttleWith(ex, "Throttling.AllocationQuota", "Too many tasks in progress for " + model.id()
                        + " (limit " + model.concurrency() + "), please try again later.");
                return;
            }
            task = newTask(model, request);
            submissionsByModel.computeIfAbsent(model.id(), k -> new AtomicLong()).incrementAndGet();
            counters.submissions.incrementAndGet();
            maxInProgressSeen.merge(model.id(), inProgress + 1, Math::max);
        }
        if (faults.takeLostCreateResponse()) {
            counters.lostResponses.incrementAndGet();
            // Closing without a status line: the task exists, the client never hears of it.
            ex.getResponseBody().close();
            return;
        }
        ObjectNode answer = Wire.JSON.createObjectNode();
        answer.putObject("output").put("task_status", "PENDING").put("task_id", task.id);
        answer.put("request_id", UUID.randomUUID().toString());
        json(ex, 200, answer);
    }

    private final Map<String, Long> maxInProgressSeen = new ConcurrentHashMap<>();

    private long inProgress(String modelId) {
        Instant now = clock.instant();
        return tasks.values().stream()
                .filter(t -> t.model.id().equals(modelId) && t.inProgressAt(now, taskTtl))
                .count();
    }

    private SimTask newTask(CloudModel model, VideoRequest request) {
        Instant now = clock.instant();
        boolean stuck = faults.nextStuck();
        boolean moderated = faults.nextModerationFailure();
        String tier = catalog.tierOf(model, request);
        int seconds = outputSeconds(model, request);
        Instant scheduled = now.plus(pendingFor);
        SimTask task = new SimTask(UUID.randomUUID().toString(), model, request.model(), request, tier, seconds,
                billedInputVideoSeconds(model, request), now,
                scheduled, stuck ? null : scheduled.plus(runningFor),
                moderated ? "DataInspectionFailed" : null,
                moderated ? "Output data may contain inappropriate content." : null,
                UUID.randomUUID().toString().replace("-", ""));
        tasks.put(task.id, task);
        byResultToken.put(task.resultToken, task);
        return task;
    }

    /**
     * The seconds the simulator makes: the duration asked for, else the model's default; a smart duration (-1)
     * becomes the default, and an edit that keeps its input's length (0 or none) the assumed input length.
     */
    private int outputSeconds(CloudModel model, VideoRequest request) {
        boolean edit = model.usesMedia() && ModelCatalog.modeOf(request.media())
                .filter(m -> m == VideoMode.VIDEO_EDIT).isPresent();
        Integer d = request.duration();
        if (edit && (d == null || d == 0)) {
            return Math.min(inputVideoSeconds, model.maxDuration());
        }
        return d == null || d == CloudModel.SMART_DURATION ? model.defaultDuration() : d;
    }

    /** Input video the model bills: every reference or edited video, each of the assumed input length. */
    private int billedInputVideoSeconds(CloudModel model, VideoRequest request) {
        if (!model.billsInputVideo() || request.media() == null) {
            return 0;
        }
        long videos = request.media().stream().filter(m -> MediaType.parse(m.type())
                .filter(MediaType::billedAsInputVideo).isPresent()).count();
        return (int) videos * inputVideoSeconds;
    }

    private void query(HttpExchange ex, String taskId) throws IOException {
        counters.queries.incrementAndGet();
        json(ex, 200, taskJson(tasks.get(taskId), taskId));
    }

    private ObjectNode taskJson(SimTask task, String taskId) {
        Instant now = clock.instant();
        ObjectNode answer = Wire.JSON.createObjectNode();
        answer.put("request_id", UUID.randomUUID().toString());
        ObjectNode out = answer.putObject("output");
        out.put("task_id", taskId);
        TaskStatus status = task == null ? TaskStatus.UNKNOWN : task.statusAt(now, taskTtl);
        out.put("task_status", status.name());
        if (status == TaskStatus.UNKNOWN) {
            return answer;
        }
        out.put("submit_time", DashScopeTimes.format(task.submitTime));
        if (status != TaskStatus.PENDING && status != TaskStatus.CANCELED) {
            out.put("scheduled_time", DashScopeTimes.format(task.scheduledTime));
        }
        if (status == TaskStatus.CANCELED) {
            out.put("end_time", DashScopeTimes.format(task.canceledAt));
        } else if (status.isTerminal()) {
            out.put("end_time", DashScopeTimes.format(task.endTime));
        }
        if (status == TaskStatus.FAILED) {
            out.put("code", task.failureCode);
            out.put("message", task.failureMessage);
        }
        if (status == TaskStatus.SUCCEEDED) {
            out.put("video_url", resultUrl(task));
            if (task.request.prompt() != null) {
                out.put("orig_prompt", task.request.prompt());
                boolean extended = !Boolean.FALSE.equals(task.request.promptExtend());
                if (extended && !task.model.family().equals("wan2.6")) {
                    out.put("actual_prompt", task.request.prompt() + ", cinematic lighting, smooth camera motion");
                }
            }
            answer.set("usage", usage(task));
        }
        return answer;
    }

    private String resultUrl(SimTask task) {
        long expires = task.endTime.plus(Duration.ofHours(24)).getEpochSecond();
        return "http://127.0.0.1:" + port() + RESULTS_PATH + task.resultToken + ".mp4?Expires=" + expires
                + "&OSSAccessKeyId=SIMULATOR&Signature=" + task.resultToken.substring(0, 16);
    }

    private ObjectNode usage(SimTask task) {
        ObjectNode u = Wire.JSON.createObjectNode();
        int sr = Integer.parseInt(task.tier.replace("P", ""));
        String size = task.request.size() != null ? task.request.size() : catalog.sizes(task.tier).getFirst();
        UsageShape shape = task.model.usageShape();
        switch (shape) {
            case WAN26 -> {
                u.put("duration", task.seconds);
                u.put("size", size);
                u.put("input_video_duration", task.inputVideoSeconds);
                u.put("output_video_duration", task.seconds);
                u.put("video_count", 1);
                u.put("SR", sr);
                if (task.model.audio() == AudioSupport.OPTIONAL) {
                    u.put("audio", task.model.hasAudio(task.request.audio()));
                }
                if (task.request.ratio() != null) {
                    u.put("ratio", task.request.ratio());
                }
            }
            case LEGACY_T2V -> {
                u.put("video_duration", task.seconds);
                u.put("video_ratio", size);
                u.put("video_count", 1);
            }
            case LEGACY_I2V -> {
                u.put("duration", task.seconds);
                u.put("SR", sr);
                u.put("video_count", 1);
            }
            case WAN21 -> {
                u.put("video_duration", task.seconds);
                u.put("video_ratio", "standard");
                u.put("video_count", 1);
            }
        }
        return u;
    }

    private void cancel(HttpExchange ex, String taskId) throws IOException {
        SimTask task = tasks.get(taskId);
        Instant now = clock.instant();
        if (task == null || task.statusAt(now, taskTtl) == TaskStatus.UNKNOWN) {
            error(ex, 400, "UnsupportedOperation", "The task " + taskId + " does not exist.");
            return;
        }
        synchronized (task) {
            if (task.statusAt(now, taskTtl) != TaskStatus.PENDING) {
                error(ex, 400, "UnsupportedOperation",
                        "Failed to cancel the task, please confirm if the task is in PENDING status.");
                return;
            }
            task.canceledAt = now;
        }
        counters.cancellations.incrementAndGet();
        ObjectNode answer = Wire.JSON.createObjectNode();
        answer.put("request_id", UUID.randomUUID().toString());
        json(ex, 200, answer);
    }

    private void list(HttpExchange ex) throws IOException {
        Map<String, String> q = queryParams(ex.getRequestURI());
        Instant now = clock.instant();
        Instant from = DashScopeTimes.parse(q.get("start_time"));
        Instant to = DashScopeTimes.parse(q.get("end_time"));
        String model = q.get("model_name");
        String status = q.get("status");
        int pageNo = Math.max(1, parseInt(q.get("page_no"), 1));
        int pageSize = Math.min(100, Math.max(1, parseInt(q.get("page_size"), 10)));
        List<SimTask> matching = tasks.values().stream()
                .filter(t -> t.statusAt(now, taskTtl) != TaskStatus.UNKNOWN)
                .filter(t -> from == null || !t.submitTime.isBefore(from))
                .filter(t -> to == null || t.submitTime.isBefore(to))
                .filter(t -> model == null || t.wireModel.equals(model) || t.model.id().equals(model))
                .filter(t -> status == null || t.statusAt(now, taskTtl).name().equalsIgnoreCase(status))
                .sorted(Comparator.comparing((SimTask t) -> t.submitTime).reversed())
                .toList();
        ObjectNode answer = Wire.JSON.createObjectNode();
        answer.put("request_id", UUID.randomUUID().toString());
        var data = answer.putArray("data");
        // Item fields as the official SDK's AsyncTaskInfo reads them; times in epoch milliseconds.
        matching.stream().skip((long) (pageNo - 1) * pageSize).limit(pageSize).forEach(t -> {
            ObjectNode item = data.addObject()
                    .put("task_id", t.id)
                    .put("status", t.statusAt(now, taskTtl).name())
                    .put("model_name", t.wireModel)
                    .put("gmt_create", t.submitTime.toEpochMilli())
                    .put("region", region == Region.MAINLAND ? "cn-beijing" : "ap-southeast-1")
                    .put("request_id", UUID.randomUUID().toString());
            if (t.statusAt(now, taskTtl) != TaskStatus.PENDING) {
                item.put("start_time", t.scheduledTime.toEpochMilli());
            }
            if (t.statusAt(now, taskTtl).isTerminal() && t.endTime != null) {
                item.put("end_time", (t.canceledAt != null ? t.canceledAt : t.endTime).toEpochMilli());
            }
        });
        answer.put("total", matching.size());
        answer.put("total_page", (matching.size() + pageSize - 1) / pageSize);
        answer.put("page_no", pageNo);
        answer.put("page_size", pageSize);
        json(ex, 200, answer);
    }

    private void serveResult(HttpExchange ex, String file) throws IOException {
        String token = file.endsWith(".mp4") ? file.substring(0, file.length() - 4) : file;
        SimTask task = byResultToken.get(token);
        Instant now = clock.instant();
        if (task == null || task.statusAt(now, taskTtl) != TaskStatus.SUCCEEDED
                || !now.isBefore(task.endTime.plus(Duration.ofHours(24)))) {
            // Alibaba's object store answers an expired signature with 403 and an XML body.
            byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                    + "<Message>Request has expired.</Message></Error>").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/xml");
            ex.sendResponseHeaders(403, xml.length);
            ex.getResponseBody().write(xml);
            return;
        }
        counters.downloads.incrementAndGet();
        byte[] mp4 = task.model.hasAudio(task.request.audio()) ? audioMp4 : silentMp4;
        ex.getResponseHeaders().set("Content-Type", "video/mp4");
        ex.sendResponseHeaders(200, mp4.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(mp4);
        }
    }

    // ---- control API: POST /sim/faults, POST /sim/clock?advance=PT1H, GET /sim/stats

    private void control(HttpExchange ex, String path, String method) throws IOException {
        switch (path) {
            case "/sim/stats" -> json(ex, 200, Wire.JSON.valueToTree(stats()));
            case "/sim/faults" -> {
                if (!method.equals("POST")) {
                    error(ex, 405, "MethodNotAllowed", "POST a JSON object of faults");
                    return;
                }
                JsonNode f;
                try (InputStream in = ex.getRequestBody()) {
                    f = Wire.JSON.readTree(in);
                } catch (JacksonException e) {
                    error(ex, 400, "InvalidParameter", "faults must be a JSON object");
                    return;
                }
                applyFaults(f);
                json(ex, 200, Wire.JSON.createObjectNode().put("ok", true));
            }
            case "/sim/clock" -> {
                String advance = queryParams(ex.getRequestURI()).get("advance");
                if (!(clock instanceof MutableClock mutable) || advance == null) {
                    error(ex, 400, "InvalidParameter", "the clock is not controllable, or advance=PT.. is missing");
                    return;
                }
                mutable.advance(Duration.parse(advance));
                json(ex, 200, Wire.JSON.createObjectNode().put("now", clock.instant().toString()));
            }
            default -> error(ex, 404, "NotFound", "no such control path " + path);
        }
    }

    /** Applies faults given as JSON (the shape of {@code POST /sim/faults}); absent fields stay as they are. */
    public void applyFaults(JsonNode f) {
        if (f.path("clear").asBoolean(false)) {
            faults.clear();
        }
        if (f.has("error_rate")) {
            faults.errorRate(f.path("error_rate").asDouble(), Wire.text(f, "error_code"));
        }
        if (f.has("latency_ms")) {
            faults.latency(Duration.ofMillis(f.path("latency_ms").asLong()));
        }
        if (f.has("outage_seconds")) {
            Instant now = clock.instant();
            long seconds = f.path("outage_seconds").asLong();
            faults.outage(seconds > 0 ? now : null, seconds > 0 ? now.plusSeconds(seconds) : null);
        }
        if (f.has("throttle")) {
            faults.throttleAll(f.path("throttle").asBoolean());
        }
        if (f.has("retry_after_seconds")) {
            long seconds = f.path("retry_after_seconds").asLong();
            faults.retryAfter(seconds > 0 ? Duration.ofSeconds(seconds) : null);
        }
        if (f.has("stuck_rate")) {
            faults.stuckRate(f.path("stuck_rate").asDouble());
        }
        if (f.has("moderation_failure_rate")) {
            faults.moderationFailureRate(f.path("moderation_failure_rate").asDouble());
        }
        if (f.has("blocked_words")) {
            Set<String> words = new HashSet<>();
            f.path("blocked_words").forEach(w -> words.add(w.asString()));
            faults.blockedWords(words);
        }
        if (f.has("lose_create_responses")) {
            faults.loseCreateResponses(f.path("lose_create_responses").asInt());
        }
    }

    // ---- helpers

    private void throttle(HttpExchange ex, String message) throws IOException {
        throttleWith(ex, "Throttling.RateQuota", message);
    }

    private void throttleWith(HttpExchange ex, String code, String message) throws IOException {
        Duration retryAfter = faults.retryAfter();
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
        }
        error(ex, 429, code, message);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode body = Wire.JSON.createObjectNode();
        body.put("request_id", UUID.randomUUID().toString());
        body.put("code", code);
        body.put("message", message);
        json(ex, status, body);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = Wire.JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> queryParams(URI uri) {
        Map<String, String> out = new java.util.HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashScopeSimulator.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, "missing simulator resource " + name).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the simulator has seen since it started.
     *
     * @param submissions tasks created (accepted creates)
     * @param createAttempts create requests that passed authentication
     * @param queries task queries answered
     * @param throttled requests answered 429
     * @param queryThrottled queries answered 429 because the query rate was exceeded
     * @param concurrencyRejections creates answered 429 because too many tasks were in progress
     * @param moderationRejections creates refused with {@code DataInspectionFailed}
     * @param outageAnswers requests answered 503 during an outage window
     * @param injectedErrors requests answered with an injected error
     * @param lostResponses creates whose task was made but whose answer was dropped
     * @param cancellations tasks cancelled
     * @param downloads result videos served
     * @param unauthorized requests refused for their key
     * @param maxQueriesInOneSecond the most queries that arrived within any sliding one-second window (arrival
     *     times, so network jitter can show one more than a perfectly paced sender sent)
     * @param submissionsByModel tasks created per model
     * @param maxInProgressByModel the most tasks in progress at once per model
     */
    public record Stats(long submissions, long createAttempts, long queries, long throttled, long queryThrottled,
            long concurrencyRejections, long moderationRejections, long outageAnswers, long injectedErrors,
            long lostResponses, long cancellations, long downloads, long unauthorized, int maxQueriesInOneSecond,
            Map<String, Long> submissionsByModel, Map<String, Long> maxInProgressByModel) {}

    private static final class Counters {
        final AtomicLong submissions = new AtomicLong();
        final AtomicLong createAttempts = new AtomicLong();
        final AtomicLong queries = new AtomicLong();
        final AtomicLong throttled = new AtomicLong();
        final AtomicLong queryThrottled = new AtomicLong();
        final AtomicLong concurrencyRejections = new AtomicLong();
        final AtomicLong moderationRejections = new AtomicLong();
        final AtomicLong outageAnswers = new AtomicLong();
        final AtomicLong injectedErrors = new AtomicLong();
        final AtomicLong lostResponses = new AtomicLong();
        final AtomicLong cancellations = new AtomicLong();
        final AtomicLong downloads = new AtomicLong();
        final AtomicLong unauthorized = new AtomicLong();
        private final ArrayDeque<Long> lastSecond = new ArrayDeque<>();
        private int maxInOneSecond;

        synchronized void queryArrived() {
            long now = System.nanoTime();
            lastSecond.addLast(now);
            while (now - lastSecond.peekFirst() >= 1_000_000_000L) {
                lastSecond.removeFirst();
            }
            maxInOneSecond = Math.max(maxInOneSecond, lastSecond.size());
        }

        synchronized Stats snapshot(Map<String, AtomicLong> byModel, Map<String, Long> maxInProgress) {
            Map<String, Long> models = new java.util.TreeMap<>();
            byModel.forEach((k, v) -> models.put(k, v.get()));
            return new Stats(submissions.get(), createAttempts.get(), queries.get(), throttled.get(),
                    queryThrottled.get(), concurrencyRejections.get(), moderationRejections.get(),
                    outageAnswers.get(), injectedErrors.get(), lostResponses.get(), cancellations.get(),
                    downloads.get(), unauthorized.get(), maxInOneSecond, models,
                    new java.util.TreeMap<>(maxInProgress));
        }
    }

    /** Configures a {@link DashScopeSimulator}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private final Set<String> apiKeys = new HashSet<>();
        private Duration pendingFor = Duration.ofSeconds(2);
        private Duration runningFor = Duration.ofSeconds(10);
        private Duration taskTtl = Duration.ofHours(24);
        private double queriesPerSecond = 20;
        private boolean enforceCreateRates = true;
        private boolean enforceConcurrency = true;
        private ModelCatalog catalog;
        private Region region = Region.INTERNATIONAL;
        private int port;
        private int inputVideoSeconds = 5;

        /**
         * The length assumed for every input video (the simulator fetches no URL): billed for reference and edited
         * videos, and the output length of an edit that keeps its input's length.
         */
        public Builder inputVideoSeconds(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("inputVideoSeconds must be positive");
            }
            this.inputVideoSeconds = value;
            return this;
        }

        /** The clock that drives task lifecycles and expiry; a {@link MutableClock} makes them controllable. */
        public Builder clock(Clock value) { this.clock = Objects.requireNonNull(value); return this; }

        /** Accepts this key (call again for more). */
        public Builder apiKey(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            apiKeys.add(value);
            return this;
        }

        public Builder pendingFor(Duration value) { this.pendingFor = nonNegative("pendingFor", value); return this; }

        public Builder runningFor(Duration value) { this.runningFor = nonNegative("runningFor", value); return this; }

        /** How long a task stays queryable (24 h at Alibaba). */
        public Builder taskTtl(Duration value) { this.taskTtl = nonNegative("taskTtl", value); return this; }

        /** Account-wide query limit; {@code 0} turns it off. */
        public Builder queriesPerSecond(double value) {
            if (value < 0) {
                throw new IllegalArgumentException("queriesPerSecond must be >= 0, was " + value);
            }
            this.queriesPerSecond = value;
            return this;
        }

        /** Whether per-model create rates (5/s or 2/s) answer 429 when exceeded. */
        public Builder enforceCreateRates(boolean value) { this.enforceCreateRates = value; return this; }

        /** Whether per-model tasks-in-progress limits answer 429 {@code Throttling.AllocationQuota}. */
        public Builder enforceConcurrency(boolean value) { this.enforceConcurrency = value; return this; }

        public Builder catalog(ModelCatalog value) { this.catalog = value; return this; }

        /** Which regional model names it accepts ({@code wanx2.1-*} on the mainland). */
        public Builder region(Region value) { this.region = Objects.requireNonNull(value); return this; }

        /** {@code 0} (the default) picks a free port. */
        public Builder port(int value) { this.port = value; return this; }

        public DashScopeSimulator build() {
            if (apiKeys.isEmpty()) {
                throw new IllegalStateException("the simulator needs at least one apiKey");
            }
            return new DashScopeSimulator(this);
        }

        private static Duration nonNegative(String name, Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be zero or positive, was " + value);
            }
            return value;
        }
    }
}
