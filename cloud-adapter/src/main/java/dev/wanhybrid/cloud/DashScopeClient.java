package dev.wanhybrid.cloud;

import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.ModelKind;
import dev.wanhybrid.cloud.catalog.Violation;
import dev.wanhybrid.cloud.internal.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A typed client for DashScope's asynchronous video synthesis: create (t2v, i2v, r2v, kf2v), query, cancel and
 * list tasks, and stream a finished video. Every create is validated against the {@link ModelCatalog} first, so
 * a combination the catalog forbids never reaches the service.
 *
 * <p>Thread-safe; one instance per account. Failures are {@link DashScopeException}s classified by
 * {@link ErrorCategory}; a task that failed arrives as a {@link TaskView} with status {@code FAILED} even though
 * HTTP said 200.
 */
public final class DashScopeClient {

    static final String T2V_PATH = "/services/aigc/video-generation/video-synthesis";
    static final String KF2V_PATH = "/services/aigc/image2video/video-synthesis";

    private final ApiKey apiKey;
    private final URI baseUrl;
    private final Region region;
    private final ModelCatalog catalog;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String workspace;
    private final java.time.Clock clock;

    private DashScopeClient(Builder b) {
        this.apiKey = Objects.requireNonNull(b.apiKey, "apiKey");
        this.region = b.region;
        String base = (b.baseUrl != null ? b.baseUrl : region.baseUrl()).toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.catalog = b.catalog != null ? b.catalog : ModelCatalog.load();
        this.requestTimeout = b.requestTimeout;
        this.workspace = b.workspace;
        this.clock = b.clock;
        this.http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public Region region() {
        return region;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /**
     * Creates a task. Validates first: a request the catalog forbids throws {@code INVALID_INPUT} with the field
     * at fault and costs no call.
     *
     * @throws DashScopeException with {@link DashScopeException#acceptanceUnknown()} when the request was sent
     *     but no answer came back, so a task may exist
     */
    public CreatedTask create(VideoRequest request) throws DashScopeException {
        CloudModel model = checked(request);
        String body = Wire.createBody(request, catalog.regionalId(model, region)).toString();
        HttpRequest.Builder http = authorized(URI.create(baseUrl + (model.kind() == ModelKind.KF2V ? KF2V_PATH
                : T2V_PATH)))
                .header("Content-Type", "application/json")
                .header("X-DashScope-Async", "enable")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (usesOss(request)) {
            http.header("X-DashScope-OssResourceResolve", "enable");
        }
        JsonNode answer = send(http.build(), true);
        JsonNode output = answer.path("output");
        String taskId = Wire.text(output, "task_id");
        if (taskId == null) {
            throw new DashScopeException(ErrorCategory.UNKNOWN, 200, null, "create answered without a task_id",
                    Wire.text(answer, "request_id"), null, null, true, null);
        }
        return new CreatedTask(taskId, TaskStatus.parse(Wire.text(output, "task_status")),
                Wire.text(answer, "request_id"));
    }

    /**
     * Validates without sending, a retired or not yet available model included (on the client clock's date);
     * returns the catalog model or throws the first violation.
     */
    public CloudModel checked(VideoRequest request) throws DashScopeException {
        List<Violation> violations = catalog.validate(request, true, java.time.LocalDate.now(clock));
        if (!violations.isEmpty()) {
            Violation v = violations.getFirst();
            throw DashScopeException.invalid(v.code(), v.field(), v.message());
        }
        return catalog.find(request.model()).orElseThrow();
    }

    /** Reads a task's state; an unknown or expired task is a view with status {@code UNKNOWN}, not an error. */
    public TaskView query(String taskId) throws DashScopeException {
        return Wire.readTask(send(authorized(taskUri(taskId, "")).GET().build(), false));
    }

    /** {@link #query} without blocking a thread, for trackers that poll many tasks. */
    public CompletableFuture<TaskView> queryAsync(String taskId) {
        HttpRequest request = authorized(taskUri(taskId, "")).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    try {
                        if (failure != null) {
                            throw transportFailure(unwrap(failure), false);
                        }
                        return Wire.readTask(interpret(response));
                    } catch (DashScopeException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    /** Cancels a task that is still {@code PENDING}; the service refuses once it runs. */
    public void cancel(String taskId) throws DashScopeException {
        send(authorized(taskUri(taskId, "/cancel")).POST(HttpRequest.BodyPublishers.noBody()).build(), false);
    }

    /** Lists tasks created in {@code [from, to)} for a model (either may be {@code null}), newest pages first. */
    public List<ListedTask> list(Instant from, Instant to, String model, int pageNo, int pageSize)
            throws DashScopeException {
        StringBuilder q = new StringBuilder("?page_no=").append(pageNo).append("&page_size=").append(pageSize);
        if (from != null) {
            q.append("&start_time=").append(DashScopeTimes.formatCompact(from));
        }
        if (to != null) {
            q.append("&end_time=").append(DashScopeTimes.formatCompact(to));
        }
        if (model != null) {
            q.append("&model_name=").append(enc(model));
        }
        JsonNode body = send(authorized(URI.create(baseUrl + "/tasks" + q)).GET().build(), false);
        List<ListedTask> out = new ArrayList<>();
        // Item fields as the official SDK's AsyncTaskInfo names them: status, gmt_create in epoch milliseconds.
        for (JsonNode item : body.path("data")) {
            String status = Wire.text(item, "status");
            String created = Wire.text(item, "gmt_create");
            out.add(new ListedTask(Wire.text(item, "task_id"),
                    TaskStatus.parse(status != null ? status : Wire.text(item, "task_status")),
                    Wire.text(item, "model_name"),
                    DashScopeTimes.parse(created != null ? created : Wire.text(item, "start_time"))));
        }
        return out;
    }

    /**
     * Streams a finished video from its signed URL. The API key is not sent: the URL carries its own signature
     * and may point at another host.
     */
    public InputStream openVideo(URI videoUrl) throws DashScopeException {
        HttpRequest request = HttpRequest.newBuilder(videoUrl).timeout(requestTimeout).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() / 100 != 2) {
                response.body().close();
                int status = response.statusCode();
                throw new DashScopeException(status == 403 || status == 404 ? ErrorCategory.INVALID_INPUT
                        : ErrorCategory.RETRYABLE, status, "ResultUnavailable",
                        "video download answered HTTP " + status + " (expired or unknown URL?)", null, null, null,
                        false, null);
            }
            return response.body();
        } catch (IOException e) {
            throw transportFailure(e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DashScopeException(ErrorCategory.RETRYABLE, 0, null, "interrupted", null, null, null, false, e);
        }
    }

    private JsonNode send(HttpRequest request, boolean create) throws DashScopeException {
        try {
            return interpret(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw transportFailure(e, create);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DashScopeException(ErrorCategory.RETRYABLE, 0, null, "interrupted while calling DashScope",
                    null, null, null, create, e);
        }
    }

    private static JsonNode interpret(HttpResponse<byte[]> response) throws DashScopeException {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = response.body().length == 0 ? Wire.JSON.createObjectNode() : Wire.JSON.readTree(response.body());
        } catch (JacksonException e) {
            body = null;
        }
        if (status / 100 == 2 && body != null) {
            return body;
        }
        String code = body == null ? null : Wire.text(body, "code");
        String message = body == null ? null : Wire.text(body, "message");
        if (message == null) {
            message = "DashScope answered HTTP " + status + (body == null ? " with a body that is not JSON" : "");
        }
        return throwing(new DashScopeException(ErrorCategory.of(status, code), status, code, message,
                body == null ? null : Wire.text(body, "request_id"), null, retryAfter(response), false, null));
    }

    private static JsonNode throwing(DashScopeException e) throws DashScopeException {
        throw e;
    }

    /** Retry-After in seconds or as an HTTP date. */
    static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return Duration.ofSeconds(Long.parseLong(v.strip()));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant when = ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    Duration d = Duration.between(Instant.now(), when);
                    return d.isNegative() ? Duration.ZERO : d;
                } catch (RuntimeException unreadable) {
                    return null;
                }
            }
        }).orElse(null);
    }

    private static DashScopeException transportFailure(Throwable e, boolean create) {
        // A refused or timed-out connection never carried the request; anything later might have.
        boolean notSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
        boolean unknown = create && !notSent;
        String message = (unknown ? "the create request was sent but its answer was lost: " : "")
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new DashScopeException(ErrorCategory.RETRYABLE, 0, null, message, null, null, null, unknown, e);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private HttpRequest.Builder authorized(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Authorization", "Bearer " + apiKey.reveal())
                .header("Accept", "application/json");
        if (workspace != null) {
            b.header("X-DashScope-WorkSpace", workspace);
        }
        return b;
    }

    private URI taskUri(String taskId, String suffix) {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("taskId must not be blank");
        }
        return URI.create(baseUrl + "/tasks/" + enc(taskId) + suffix);
    }

    private static boolean usesOss(VideoRequest r) {
        List<String> urls = new ArrayList<>();
        urls.add(r.imgUrl());
        urls.add(r.audioUrl());
        urls.add(r.firstFrameUrl());
        urls.add(r.lastFrameUrl());
        if (r.referenceUrls() != null) {
            urls.addAll(r.referenceUrls());
        }
        return urls.stream().anyMatch(u -> u != null && u.startsWith("oss://"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "DashScopeClient[" + baseUrl + ", key " + apiKey + "]";
    }

    /** Configures a {@link DashScopeClient}; rejects bad values at once. */
    public static final class Builder {
        private ApiKey apiKey;
        private Region region = Region.INTERNATIONAL;
        private URI baseUrl;
        private ModelCatalog catalog;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private String workspace;
        private java.time.Clock clock = java.time.Clock.systemUTC();

        /** Whose date decides whether a model is retired (default: UTC now). */
        public Builder clock(java.time.Clock value) { this.clock = Objects.requireNonNull(value, "clock"); return this; }

        public Builder apiKey(ApiKey value) { this.apiKey = Objects.requireNonNull(value, "apiKey"); return this; }

        /** The region decides the default base URL, the price table and regional model names. */
        public Builder region(Region value) { this.region = Objects.requireNonNull(value, "region"); return this; }

        /** Overrides the region's URL (a workspace domain, a proxy, the simulator); must end in {@code /api/v1}. */
        public Builder baseUrl(URI value) {
            if (value != null && (value.getScheme() == null || !value.getScheme().startsWith("http"))) {
                throw new IllegalArgumentException("baseUrl must be an http(s) URL, was " + value);
            }
            this.baseUrl = value;
            return this;
        }

        public Builder catalog(ModelCatalog value) { this.catalog = value; return this; }

        public Builder httpClient(HttpClient value) { this.httpClient = value; return this; }

        public Builder connectTimeout(Duration value) { this.connectTimeout = positive("connectTimeout", value); return this; }

        public Builder requestTimeout(Duration value) { this.requestTimeout = positive("requestTimeout", value); return this; }

        public Builder workspace(String value) { this.workspace = value == null || value.isBlank() ? null : value; return this; }

        public DashScopeClient build() {
            return new DashScopeClient(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
