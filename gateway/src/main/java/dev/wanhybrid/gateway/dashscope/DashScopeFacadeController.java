package dev.wanhybrid.gateway.dashscope;

import dev.wanhybrid.cloud.DashScopeTimes;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.AudioSupport;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.ModelKind;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.cloud.catalog.Violation;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.MediaInput;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import dev.wanhybrid.gateway.jobs.BudgetRejectedException;
import dev.wanhybrid.gateway.jobs.CreateRefusals;
import dev.wanhybrid.gateway.jobs.SubmitOverloadedException;
import dev.wanhybrid.gateway.jobs.GenerationService;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobRoute;
import dev.wanhybrid.gateway.jobs.JobStatus;
import dev.wanhybrid.gateway.net.InputUrlPolicy;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.tenant.Tenant;
import dev.wanhybrid.gateway.web.ApiException;
import dev.wanhybrid.gateway.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * DashScope's asynchronous video-synthesis API on the gateway, in DashScope's request, response and error shapes,
 * backed by the same jobs and routing as {@code /v1/videos}: an application written against the DashScope SDK
 * changes only its base URL. Task ids are the gateway's job ids. Silent text-to-video requests for the Wan
 * 2.1/2.2-class models named in {@code gateway.dashscope.hybrid-models} are routed ({@code auto}), so they may run
 * on the local GPUs; every other model name is pinned to that cloud model.
 */
@RestController
@RequestMapping("/api/v1")
class DashScopeFacadeController {

    private static final Map<String, VideoSize> TIER_SIZES = Map.of(
            "480P", new VideoSize(832, 480), "720P", new VideoSize(1280, 720), "1080P", new VideoSize(1920, 1080));

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.regex.Pattern TASK_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final GenerationService service;
    private final ModelCatalog cloudCatalog;
    private final DashScopeFacadeProperties properties;
    private final ObjectProvider<InputUrlPolicy> urlPolicy;
    private final DashScopeBodyChecks checks;
    private final CreateRefusals refusals;
    private final ObjectProvider<dev.wanhybrid.gateway.budget.SpendReports> spend;

    DashScopeFacadeController(GenerationService service, ModelCatalog cloudCatalog,
            DashScopeFacadeProperties properties, ObjectProvider<InputUrlPolicy> urlPolicy, CreateRefusals refusals,
            ObjectProvider<dev.wanhybrid.gateway.budget.SpendReports> spend) {
        this.refusals = refusals;
        this.spend = spend;
        this.service = service;
        this.cloudCatalog = cloudCatalog;
        this.properties = properties;
        this.urlPolicy = urlPolicy;
        this.checks = new DashScopeBodyChecks(properties);
    }

    @PostMapping({"/services/aigc/video-generation/video-synthesis", "/services/aigc/image2video/video-synthesis"})
    Map<String, Object> create(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant,
            @RequestHeader(name = "X-DashScope-Async", required = false) String async, HttpServletRequest http)
            throws IOException {
        if (!"enable".equalsIgnoreCase(async)) {
            throw new DashScopeError(400, "AccessDenied", "current user api does not support synchronous calls");
        }
        JsonNode body = readBody(http);
        JsonNode modelNode = body.get("model");
        if (modelNode == null || modelNode.isNull() || (modelNode.isString() && modelNode.stringValue().isBlank())) {
            throw new DashScopeError(400, "BadRequest.EmptyModel", "Required parameter \"model\" missing from request.");
        }
        if (!modelNode.isString() || modelNode.stringValue().length() > 64) {
            throw DashScopeError.invalid("model", "must be a model name of at most 64 characters");
        }
        JsonNode inputNode = body.get("input");
        if (inputNode == null || inputNode.isNull()) {
            throw new DashScopeError(400, "BadRequest.EmptyInput", "Required parameter \"input\" missing from request.");
        }
        if (!inputNode.isObject()) {
            throw DashScopeError.invalid("input", "must be an object");
        }
        checks.check(body, cloudCatalog.find(modelNode.stringValue()));
        VideoRequest request;
        try {
            request = VideoRequest.fromCreateBody(body);
        } catch (RuntimeException e) {
            throw DashScopeError.invalid("Parameter types are wrong: " + e.getMessage());
        }
        GenerationSpec spec = toSpec(tenant, request);
        String jobId = GenerationService.newJobId();
        try {
            Job job = service.create(jobId, spec);
            return Map.of("request_id", UUID.randomUUID().toString(),
                    "output", Map.of("task_id", job.id(), "task_status", "PENDING"));
        } catch (NoRouteException e) {
            throw refused(refusals.of(e, tenant.id()));
        } catch (BudgetRejectedException e) {
            throw refused(refusals.of(e, tenant.id()));
        } catch (SubmitOverloadedException e) {
            throw refused(refusals.of(e));
        }
    }

    /**
     * A task id is at most 64 letters, digits, {@code -} and {@code _} (DashScope's are UUIDs, the gateway's
     * {@code video_} and 32 hex digits); anything else cannot name a task, and is not echoed back.
     */
    private static void checkTaskId(String id) {
        if (!TASK_ID.matcher(id).matches()) {
            throw DashScopeError.invalid("task_id", "must be at most 64 letters, digits, '-' or '_'");
        }
    }

    private static DashScopeError refused(CreateRefusals.Refusal refusal) {
        return new DashScopeError(refusal.dashScopeStatus(), refusal.dashScopeCode(), refusal.dashScopeMessage(),
                refusal.retryAfterSeconds());
    }

    @GetMapping("/tasks/{id}")
    ObjectNode query(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id) {
        checkTaskId(id);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("request_id", UUID.randomUUID().toString());
        ObjectNode out = answer.putObject("output");
        out.put("task_id", id);
        Optional<Job> found = service.find(tenant.id(), id);
        if (found.isEmpty()) {
            out.put("task_status", "UNKNOWN");
            return answer;
        }
        Job job = found.get();
        out.put("task_status", status(job.status()));
        out.put("submit_time", DashScopeTimes.format(job.createdAt()));
        if (job.status() != JobStatus.QUEUED) {
            out.put("scheduled_time", DashScopeTimes.format(job.createdAt()));
        }
        if (job.status().isTerminal()) {
            out.put("end_time", DashScopeTimes.format(job.completedAt() != null ? job.completedAt()
                    : job.updatedAt()));
        }
        // Not part of DashScope's shape (its SDK ignores unknown fields): where the gateway ran the job, and why.
        out.put("backend", job.backend());
        out.put("model", job.model());
        if (job.route() != null) {
            out.put("route_reason", job.route().reason());
        }
        if (job.phase() == dev.wanhybrid.gateway.jobs.JobPhase.QUEUED && job.attempts() > 0
                && !job.cancelRequested() && job.nextAttemptAt() != null) {
            // Waiting for its backend to take it (refused, throttled or down, no fallback within its cost ceiling).
            out.put("waiting_for_backend", job.backend());
            out.put("next_attempt_time", DashScopeTimes.format(job.nextAttemptAt()));
        }
        JobRoute.BudgetWait budgetWait = job.waitingForBudget();
        if (budgetWait != null) {
            // Accepted under a spent budget whose policy is queue: the cap it waits for, when it is routed again,
            // and when it gives up (the object's budget_wait, flattened like the backend wait above).
            out.put("waiting_for_budget", budgetWait.cap());
            if (budgetWait.resetsAt() != null) {
                out.put("budget_resets_time", DashScopeTimes.format(Instant.ofEpochSecond(budgetWait.resetsAt())));
            }
            if (job.nextAttemptAt() != null) {
                out.put("next_attempt_time", DashScopeTimes.format(job.nextAttemptAt()));
            }
            out.put("budget_gives_up_time", DashScopeTimes.format(Instant.ofEpochSecond(budgetWait.givesUpAt())));
            out.put("budget_wait_bound", budgetWait.bound());
        }
        switch (job.status()) {
            case COMPLETED -> {
                out.put("video_url", ServletUriComponentsBuilder.fromCurrentContextPath()
                        .path("/v1/videos/{id}/content").buildAndExpand(job.id()).toUriString());
                out.put("orig_prompt", job.spec().prompt());
                ObjectNode usage = answer.putObject("usage");
                usage.put("duration", job.spec().seconds());
                usage.put("output_video_duration", job.spec().seconds());
                usage.put("input_video_duration", inputVideoSeconds(job));
                usage.put("video_count", 1);
                if (job.spec().size() != null) {
                    usage.put("size", job.spec().size().width() + "*" + job.spec().size().height());
                    usage.put("SR", job.spec().size().shortSide());
                }
            }
            case FAILED -> {
                out.put("code", job.errorCode() == null ? "InternalError" : job.errorCode());
                out.put("message", job.errorMessage() == null ? "The task failed." : job.errorMessage());
            }
            default -> { }
        }
        return answer;
    }

    @PostMapping("/tasks/{id}/cancel")
    Map<String, Object> cancel(@RequestAttribute(Tenant.REQUEST_ATTRIBUTE) Tenant tenant, @PathVariable String id) {
        checkTaskId(id);
        Optional<Job> found = service.find(tenant.id(), id);
        if (found.isEmpty()) {
            throw new DashScopeError(400, "UnsupportedOperation", "The task " + id + " does not exist.");
        }
        // DashScope cancels only tasks that have not started; the gateway keeps that promise.
        if (found.get().status() != JobStatus.QUEUED) {
            throw new DashScopeError(400, "UnsupportedOperation",
                    "Failed to cancel the task, please confirm if the task is in PENDING status.");
        }
        service.cancel(tenant.id(), id);
        return Map.of("request_id", UUID.randomUUID().toString());
    }

    /**
     * The input video seconds the provider billed for the job (reference or edited videos): the ledger's billed
     * seconds less the output's; zero for a job that billed none (local, or no input video).
     */
    private long inputVideoSeconds(Job job) {
        dev.wanhybrid.gateway.budget.SpendReports reports = spend.getIfAvailable();
        if (reports == null || !dev.wanhybrid.cost.Backend.isCloud(job.backend())) {
            return 0;
        }
        return reports.billedSeconds(job.id())
                .map(billed -> Math.max(0, billed.subtract(java.math.BigDecimal.valueOf(job.spec().seconds()))
                        .setScale(0, java.math.RoundingMode.HALF_UP).longValueExact()))
                .orElse(0L);
    }

    private GenerationSpec toSpec(Tenant tenant, VideoRequest r) {
        Optional<CloudModel> cloudModel = cloudCatalog.find(r.model());
        if (cloudModel.isPresent()) {
            List<Violation> violations = cloudCatalog.validate(r, false);
            if (!violations.isEmpty()) {
                Violation v = violations.getFirst();
                // The message names the field (input.media[0].type), as DashScope's InvalidParameter answers do.
                throw new DashScopeError(400, v.code(), v.message().contains(v.field()) ? v.message()
                        : v.field() + ": " + v.message());
            }
            if (!cloudModel.get().usesMedia()
                    && (cloudModel.get().kind() == ModelKind.R2V || cloudModel.get().kind() == ModelKind.KF2V)) {
                throw DashScopeError.invalid("Model " + r.model() + " (" + cloudModel.get().kind().name().toLowerCase(
                        Locale.ROOT) + ") is not offered by this gateway; use a t2v or i2v model, or the"
                        + " input.media protocol (wan2.7-r2v, wan2.7-i2v, wan3.0-video)");
            }
        }
        if (r.media() != null && !cloudModel.map(CloudModel::usesMedia).orElse(false)) {
            throw DashScopeError.invalid("input.media is read by the new-protocol cloud models only ("
                    + cloudCatalog.models().stream().filter(CloudModel::usesMedia).map(CloudModel::id)
                            .collect(java.util.stream.Collectors.joining(", ")) + "), not by " + r.model());
        }
        List<MediaInput> media = media(r);
        VideoMode mode = media.isEmpty() ? null : ModelCatalog.modeOf(r.media()).orElseThrow();
        URI image = url("input.img_url", r.imgUrl());
        if (image == null && (mode == VideoMode.IMAGE_TO_VIDEO || mode == VideoMode.FIRST_LAST_FRAME)) {
            image = media.stream().filter(m -> m.type() == MediaType.FIRST_FRAME).findFirst().map(MediaInput::url)
                    .orElseThrow();
        }
        if (r.duration() != null && r.duration() <= 0) {
            throw DashScopeError.invalid("parameters.duration must be at least 1, was " + r.duration() + ": -1 (the"
                    + " model chooses) and 0 (an edit keeps its input's length) are not offered through this gateway,"
                    + " which reserves and routes by the length; give the seconds, or leave duration out");
        }
        URI audioUrl = url("input.audio_url", r.audioUrl());
        TaskKind kind = image != null ? TaskKind.I2V : TaskKind.T2V;
        AudioSpec audio;
        if (audioUrl != null) {
            audio = new AudioSpec.FromUrl(audioUrl);
        } else if (cloudModel.isPresent()) {
            AudioSupport support = cloudModel.get().audio();
            boolean sound = support == AudioSupport.ALWAYS
                    || (support == AudioSupport.OPTIONAL && !Boolean.FALSE.equals(r.audio()));
            audio = sound ? AudioSpec.GENERATED : AudioSpec.NONE;
        } else {
            audio = Boolean.TRUE.equals(r.audio()) ? AudioSpec.GENERATED : AudioSpec.NONE;
        }
        VideoSize size = null;
        if (r.size() != null) {
            try {
                size = VideoSize.parse(r.size());
            } catch (IllegalArgumentException e) {
                throw DashScopeError.invalid("parameters.size: " + e.getMessage());
            }
        } else if (r.resolution() != null) {
            size = TIER_SIZES.get(r.resolution().strip().toUpperCase(Locale.ROOT));
            if (size == null) {
                throw DashScopeError.invalid("parameters.resolution must be 480P, 720P or 1080P, was '"
                        + r.resolution() + "'");
            }
        }
        int seconds = r.duration() != null ? r.duration()
                : cloudModel.map(CloudModel::defaultDuration).orElse(5);
        if (seconds < 1) {
            throw DashScopeError.invalid("parameters.duration must be at least 1, was " + seconds);
        }
        String model = cloudModel.map(CloudModel::id).orElse(r.model());
        boolean hybrid = properties.hybrid().contains(r.model()) && kind == TaskKind.T2V && !audio.wantsAudio();
        if (r.prompt() == null || r.prompt().isBlank()) {
            if (kind == TaskKind.T2V && media.isEmpty()) {
                throw DashScopeError.invalid("Field required: input.prompt");
            }
        }
        return new GenerationSpec(tenant.id(), hybrid ? GenerationSpec.AUTO_MODEL : model, kind, r.prompt(),
                r.negativePrompt(), size, seconds, r.seed(), image, audio, null, RoutingHints.NONE, null, media);
    }

    /** The typed inputs, each URL under the input URL policy and named by its place ({@code input.media[1].url}). */
    private List<MediaInput> media(VideoRequest r) {
        if (r.media() == null) {
            return List.of();
        }
        List<MediaInput> out = new java.util.ArrayList<>();
        for (int i = 0; i < r.media().size(); i++) {
            VideoRequest.Media m = r.media().get(i);
            String at = "input.media[" + i + "]";
            MediaType type = MediaType.parse(m.type()).orElseThrow(() -> DashScopeError.invalid(at
                    + ".type: unknown media type; use one of " + MediaType.names()));
            URI url = url(at + ".url", m.url());
            if (url == null) {
                throw DashScopeError.invalid("Field required: " + at + ".url");
            }
            out.add(new MediaInput(type, url));
        }
        return out;
    }

    private URI url(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new DashScopeError(400, "InvalidURL", field + " is not a valid URL");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new DashScopeError(400, "InvalidURL", field + " must be a public http(s) URL on this gateway");
        }
        InputUrlPolicy policy = urlPolicy.getIfAvailable();
        String rejection = policy == null ? null : policy.rejection(field, uri);
        if (rejection != null) {
            throw new DashScopeError(400, "InvalidURL", rejection);
        }
        return uri;
    }

    private JsonNode readBody(HttpServletRequest http) throws IOException {
        if (!JsonBodies.isJson(http.getContentType())) {
            throw DashScopeError.invalid("Content-Type must be application/json");
        }
        String text;
        try {
            text = JsonBodies.read(http, properties.maxBodySize().toBytes());
        } catch (ApiException e) {
            throw new DashScopeError(e.status().value(), e.dashScopeCode() != null ? e.dashScopeCode()
                    : "InvalidParameter", e.getMessage());
        }
        try {
            JsonNode body = JSON.readTree(text);
            if (body == null || !body.isObject()) {
                throw DashScopeError.invalid("The request body must be a JSON object");
            }
            return body;
        } catch (JacksonException e) {
            throw DashScopeError.invalid("The request body is not valid JSON");
        }
    }

    private static String status(JobStatus status) {
        return switch (status) {
            case QUEUED -> "PENDING";
            case IN_PROGRESS -> "RUNNING";
            case COMPLETED -> "SUCCEEDED";
            case FAILED -> "FAILED";
            case CANCELLED -> "CANCELED";
        };
    }
}
