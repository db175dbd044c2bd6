package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.DashScopeException;
import dev.wanhybrid.cloud.ListedTask;
import dev.wanhybrid.cloud.ErrorCategory;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.tracking.ConcurrencyLimits;
import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.cloud.tracking.TaskSlots;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.backend.BackendException.Kind;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.BillingRecords;
import dev.wanhybrid.gateway.backend.TaskClaims;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.VideoBackend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@link VideoBackend} over DashScope: maps the request onto the chosen cloud model, validates it
 * against the cloud catalog (an impossible combination costs no call), holds a per-model concurrency permit from
 * submission until the task ends, and paces task queries to the account's rate, answering "throttled" locally
 * rather than provoking 429s. The job dispatcher owns polling and the result copy; this class adds no poller.
 *
 * <p>Submissions are remembered per job in memory, so that {@link #reconcile} can tell a request that was never
 * sent (safe to submit again) from one whose answer was lost. A lost answer is resolved from DashScope's task list
 * and task details by {@link SubmissionReconciler}; after a restart the job's persisted submission time tells it
 * where to look. A job in doubt holds its model's concurrency permit (held by the job id) until the decision;
 * permits are released per holder, so releasing twice is harmless.
 */
public final class CloudBackend implements VideoBackend, BillingRecords, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(CloudBackend.class);
    private static final Duration PERMIT_RETRY = Duration.ofSeconds(5);

    private final String id;
    private final DashScopeClient client;
    private final String notReadyReason;
    private final String readyDetail;
    private final TaskSlots limits;
    private final RatePacer queryLimiter;
    private final Map<String, RatePacer> createPacers = new HashMap<>();
    private final CloudProperties properties;
    private final Clock clock;
    private final UploadedImages uploads;
    private final Map<String, Submission> submissions = new ConcurrentHashMap<>();
    private final Set<String> knownTaskIds = ConcurrentHashMap.newKeySet();
    private final Map<String, String> modelOfTask = new ConcurrentHashMap<>();
    private final Object reconcileLock = new Object();
    private final SubmissionReconciler reconciler;

    /**
     * @param client the DashScope client, or {@code null} when no key is configured
     * @param notReadyReason what is missing when {@code client} is {@code null}
     * @param readyDetail what is configured, for operators (never the key)
     */
    public CloudBackend(DashScopeClient client, String notReadyReason, String readyDetail, CloudProperties properties,
            Clock clock) {
        this(client, notReadyReason, readyDetail, properties, clock, UploadedImages.NONE);
    }

    /** @param uploads reads images uploaded with requests, which are sent inline */
    public CloudBackend(DashScopeClient client, String notReadyReason, String readyDetail, CloudProperties properties,
            Clock clock, UploadedImages uploads) {
        this(Backend.CLOUD.id(), client, notReadyReason, readyDetail, properties, clock, uploads);
    }

    /**
     * @param id the backend id: {@code cloud} for the default account, a source's name ({@code cloud-cn}) for a
     *     further DashScope source, each with its own breaker, limits and metric tag
     */
    public CloudBackend(String id, DashScopeClient client, String notReadyReason, String readyDetail,
            CloudProperties properties, Clock clock, UploadedImages uploads) {
        this(id, client, notReadyReason, readyDetail, properties, clock, uploads, CloudLimits.IN_PROCESS);
    }

    /**
     * @param accountLimits where the account's query pace, create paces and task slots are counted: in this process,
     *     or shared by every replica on the same account
     */
    public CloudBackend(String id, DashScopeClient client, String notReadyReason, String readyDetail,
            CloudProperties properties, Clock clock, UploadedImages uploads, CloudLimits accountLimits) {
        this.id = id;
        this.uploads = uploads;
        this.client = client;
        this.notReadyReason = notReadyReason;
        this.readyDetail = readyDetail;
        this.properties = properties;
        this.clock = clock;
        this.queryLimiter = accountLimits.queries(id, properties.queriesPerSecond());
        this.reconciler = new SubmissionReconciler(queryLimiter, properties.queryWait(), properties.reconcileAfter());
        if (client != null) {
            this.limits = accountLimits.slots(id,
                    ConcurrencyLimits.limitsFromCatalog(client.catalog(), properties.concurrency()));
            for (CloudModel model : client.catalog().models()) {
                createPacers.put(model.id(), accountLimits.creates(id, model.id(), model.createsPerSecond()));
            }
        } else {
            this.limits = new ConcurrencyLimits(Map.of());
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BackendReadiness readiness() {
        return client == null ? BackendReadiness.notReady(notReadyReason) : BackendReadiness.ready(readyDetail);
    }

    /**
     * Per model: {@code gateway.cloud.tasks.in.flight}, the DashScope task slots held (tasks created or found running
     * again after a restart, and submissions in doubt; this process's, or every replica's when the limits are
     * shared), and {@code gateway.cloud.tasks.limit}; a slot still held when nothing runs is a leak, and the
     * recovery tests read this gauge to prove there is none.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        for (String model : limits.models()) {
            Gauge.builder("gateway.cloud.tasks.in.flight", limits, l -> l.inFlight(model))
                    .tags("backend", id(), "model", model)
                    .description("DashScope task slots held: created, found running after a restart, or in doubt")
                    .register(registry);
            Gauge.builder("gateway.cloud.tasks.limit", limits, l -> l.limit(model))
                    .tags("backend", id(), "model", model)
                    .description("DashScope tasks allowed in progress at once for the model")
                    .register(registry);
        }
    }

    /** The task slots this backend applies (for the ops view and tests). */
    public TaskSlots limits() {
        return limits;
    }

    @Override
    public String submit(BackendTask task) throws BackendException {
        DashScopeClient dashscope = requireClient();
        CloudModel model = dashscope.catalog().find(task.model()).orElseThrow(() -> new BackendException(
                Kind.INVALID_INPUT, "ModelNotFound", "the cloud catalog has no model '" + task.model() + "'"));
        VideoRequest request = SpecMapping.toRequest(task, model, dashscope.catalog(), uploads);
        try {
            dashscope.checked(request);
        } catch (DashScopeException e) {
            throw translate(e);
        }
        // Until the request leaves, reconciliation can answer "never sent" with certainty.
        submissions.put(task.jobId(), Submission.notSent(clock.instant()));
        acquirePermit(model.id(), task.jobId());
        boolean keepPermit = false;
        try {
            pace(model.id());
            submissions.put(task.jobId(), Submission.sent(clock.instant()));
            String taskId = dashscope.create(request).taskId();
            submissions.put(task.jobId(), Submission.created(taskId, clock.instant()));
            knownTaskIds.add(taskId);
            modelOfTask.put(taskId, model.id());
            limits.rename(task.jobId(), taskId);
            keepPermit = true;
            return taskId;
        } catch (DashScopeException e) {
            if (e.acceptanceUnknown()) {
                // The task may exist and be running: its permit stays taken until reconciliation settles it.
                keepPermit = true;
            } else {
                submissions.put(task.jobId(), Submission.notSent(clock.instant()));
            }
            throw translate(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            submissions.put(task.jobId(), Submission.notSent(clock.instant()));
            throw new BackendException(Kind.UNAVAILABLE, "Interrupted", "interrupted before sending", null, e);
        } finally {
            if (!keepPermit) {
                limits.release(task.jobId());
            }
        }
    }

    private void acquirePermit(String model, String jobId) throws BackendException {
        long deadline = System.nanoTime() + properties.permitWait().toNanos();
        while (!tryAcquireSlot(model, jobId)) {
            if (System.nanoTime() - deadline >= 0) {
                // REFUSED, not THROTTLED: our own limit says nothing about DashScope's health (no breaker
                // failure), and the dispatcher may try the next candidate, e.g. the local GPUs.
                throw new BackendException(Kind.REFUSED, "LocalConcurrencyLimit", "all " + limits.limit(model)
                        + " DashScope task slots for " + model + " are in use; queued locally, nothing was sent",
                        PERMIT_RETRY, null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(Kind.REFUSED, "LocalConcurrencyLimit",
                        "interrupted while waiting for a task slot for " + model, PERMIT_RETRY, e);
            }
        }
    }

    /** A slot store that cannot be reached refuses like a full one: nothing was sent, the job tries again later. */
    private boolean tryAcquireSlot(String model, String jobId) throws BackendException {
        try {
            return limits.tryAcquire(model, jobId);
        } catch (RuntimeException e) {
            throw new BackendException(Kind.REFUSED, "LocalConcurrencyLimit", "the shared DashScope task slots for "
                    + model + " cannot be read (" + e.getMessage() + "); nothing was sent", PERMIT_RETRY, e);
        }
    }

    /** Creates of one model wait their turn at the account's create rate. */
    private void pace(String model) throws InterruptedException {
        RatePacer pacer = createPacers.get(model);
        if (pacer != null) {
            pacer.acquire();
        }
    }

    @Override
    public TaskSnapshot poll(String taskId) throws BackendException {
        DashScopeClient dashscope = requireClient();
        try {
            if (!queryLimiter.tryAcquire(properties.queryWait())) {
                throw new BackendException(Kind.REFUSED, "LocalQueryRate", "the account's query rate ("
                        + properties.queriesPerSecond() + "/s) is in use; nothing was sent", queryLimiter.untilFree(),
                        null);
            }
            TaskView view = dashscope.query(taskId);
            if (view.status().isTerminal() || view.status() == TaskStatus.UNKNOWN) {
                limits.release(taskId);
                modelOfTask.remove(taskId);
            } else {
                String model = modelOfTask.get(taskId);
                if (model != null) {
                    // A task found again after a restart (or another replica's) runs at DashScope all the same.
                    limits.adopt(model, taskId);
                }
            }
            return snapshot(taskId, view);
        } catch (DashScopeException e) {
            throw translate(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(Kind.UNAVAILABLE, "Interrupted", "interrupted before querying", null, e);
        }
    }

    static TaskSnapshot snapshot(String taskId, TaskView view) {
        TaskSnapshot.State state = switch (view.status()) {
            case PENDING -> TaskSnapshot.State.PENDING;
            case RUNNING, SUSPENDED -> TaskSnapshot.State.RUNNING;
            case SUCCEEDED -> TaskSnapshot.State.SUCCEEDED;
            case FAILED -> TaskSnapshot.State.FAILED;
            case CANCELED -> TaskSnapshot.State.CANCELED;
            case UNKNOWN -> TaskSnapshot.State.UNKNOWN;
        };
        boolean billed = view.status() == TaskStatus.SUCCEEDED && view.usage() != null
                && view.usage().billedSeconds() != null;
        return new TaskSnapshot(taskId, state, view.status() == TaskStatus.SUCCEEDED ? 100 : -1,
                view.status() == TaskStatus.SUCCEEDED ? view.videoUrl() : null,
                billed ? view.usage().totalBilledSeconds() : null, null,
                view.status() == TaskStatus.FAILED ? view.code() : null,
                view.status() == TaskStatus.FAILED ? view.message() : null);
    }

    @Override
    public void cancel(String taskId) throws BackendException {
        DashScopeClient dashscope = requireClient();
        try {
            dashscope.cancel(taskId);
            limits.release(taskId);
        } catch (DashScopeException e) {
            if (!"UnsupportedOperation".equals(e.code())) {
                throw translate(e);
            }
            TaskStatus status;
            try {
                status = dashscope.query(taskId).status();
            } catch (DashScopeException queryFailure) {
                throw translate(queryFailure);
            }
            if (status.isTerminal() || status == TaskStatus.UNKNOWN) {
                limits.release(taskId);
                return;
            }
            throw new BackendException(Kind.INVALID_INPUT, "UnsupportedOperation", "DashScope cancels only PENDING "
                    + "tasks; task " + taskId + " is " + status + " and will finish (and be billed)");
        }
    }

    @Override
    public InputStream openResult(TaskSnapshot snapshot) throws BackendException {
        DashScopeClient dashscope = requireClient();
        if (snapshot.resultLocation() == null) {
            throw new BackendException(Kind.INVALID_INPUT, "NoResult", "task " + snapshot.taskId()
                    + " has no video URL");
        }
        try {
            return dashscope.openVideo(snapshot.resultLocation());
        } catch (DashScopeException e) {
            throw translate(e);
        }
    }

    @Override
    public Optional<String> reconcile(BackendTask task) throws BackendException {
        return reconcile(task, TaskClaims.NONE);
    }

    /**
     * Resolves a submission whose answer was lost from DashScope's records ({@link SubmissionReconciler}). The
     * decision and the binding happen under one lock, so two jobs of this process never take the same task; the job
     * store's unique task id guards across instances.
     */
    @Override
    public Optional<String> reconcile(BackendTask task, TaskClaims claims) throws BackendException {
        DashScopeClient dashscope = requireClient();
        Submission s = submissions.get(task.jobId());
        if (s != null && s.taskId() != null) {
            return Optional.of(s.taskId());
        }
        if (s != null && !s.mayHaveArrived()) {
            limits.release(task.jobId());
            return Optional.empty();
        }
        Instant now = clock.instant();
        CloudModel model = dashscope.catalog().find(task.model()).orElseThrow(() -> new BackendException(
                Kind.INVALID_INPUT, "ModelNotFound", "the cloud catalog has no model '" + task.model() + "'"));
        String wireModel = dashscope.catalog().regionalId(model, dashscope.region());
        Instant submittedAt = s != null ? s.at() : task.submittedAt();
        VideoRequest request = SpecMapping.toRequest(task, model, dashscope.catalog(), uploads);
        synchronized (reconcileLock) {
            SubmissionReconciler.Decision decision = reconciler.decide(dashscope, wireModel, request, submittedAt,
                    now, ids -> bound(ids, claims));
            if (decision.taskId().isPresent()) {
                String taskId = decision.taskId().get();
                submissions.put(task.jobId(), Submission.created(taskId, now));
                knownTaskIds.add(taskId);
                modelOfTask.put(taskId, model.id());
                // Only a finished task matches, so the slot this job held while in doubt is free again.
                limits.release(task.jobId());
                log.info("job {}: found its DashScope task {} from the task list and its details", task.jobId(),
                        taskId);
                return decision.taskId();
            }
            if (decision.neverCreated()) {
                limits.release(task.jobId());
                submissions.put(task.jobId(), Submission.notSent(now));
                return Optional.empty();
            }
            if (decision.inProgress() > 0) {
                // The job's task may be one of those running: count it against the model's limit (after a restart
                // this process held no permit for it), until the decision or the job's deadline frees it.
                limits.adopt(model.id(), task.jobId());
            }
            throw new BackendException(Kind.UNDECIDED, "ReconcilePending", "job " + task.jobId() + ": "
                    + decision.reason(), null, null);
        }
    }

    private Set<String> bound(Collection<String> taskIds, TaskClaims claims) {
        Set<String> bound = new HashSet<>(claims.claimedAmong(taskIds));
        taskIds.stream().filter(knownTaskIds::contains).forEach(bound::add);
        return bound;
    }

    @Override
    public void track(BackendTask task, String taskId) {
        DashScopeClient dashscope = client;
        if (dashscope != null) {
            dashscope.catalog().find(task.model()).ifPresent(model -> modelOfTask.putIfAbsent(taskId, model.id()));
        }
    }

    @Override
    public void abandon(BackendTask task) {
        limits.release(task.jobId());
        submissions.remove(task.jobId());
    }

    /**
     * DashScope's billed tasks of the window: every listed SUCCEEDED task with its usage and {@code orig_prompt}
     * (details of finished tasks are cached, so a periodic comparison queries each task once).
     */
    @Override
    public List<BilledTask> billedTasks(Instant from, Instant to) throws BackendException {
        DashScopeClient dashscope = requireClient();
        List<BilledTask> billed = new ArrayList<>();
        for (ListedTask listed : reconciler.list(dashscope, null, from, to)) {
            if (listed.status() != TaskStatus.SUCCEEDED && listed.status() != TaskStatus.UNKNOWN) {
                continue;
            }
            TaskView view = reconciler.details(dashscope, listed.taskId());
            if (view.status() != TaskStatus.SUCCEEDED || view.usage() == null) {
                continue;
            }
            CloudModel model = dashscope.catalog().find(listed.model()).orElse(null);
            if (model == null) {
                log.warn("DashScope task {} has model {} that the catalog does not know; not priced", listed.taskId(),
                        listed.model());
                continue;
            }
            billed.add(new BilledTask(listed.taskId(), model.id(), listed.createdAt(), view.origPrompt(),
                    sizeOf(dashscope, view), view.usage().billedSeconds() == null ? 0
                            : view.usage().billedSeconds().intValue(),
                    Boolean.TRUE.equals(view.usage().audio()), view.usage().totalBilledSeconds()));
        }
        return billed;
    }

    /** The output size from the usage ({@code 1280*720}), else the first size of the reported short side's tier. */
    private static VideoSize sizeOf(DashScopeClient dashscope, TaskView view) {
        String size = view.usage().size();
        if (size != null && size.matches("\\d+\\*\\d+")) {
            return VideoSize.parse(size.replace('*', 'x'));
        }
        if (view.usage().sr() != null) {
            List<String> sizes = dashscope.catalog().sizes(view.usage().sr() + "P");
            if (!sizes.isEmpty()) {
                return VideoSize.parse(sizes.getFirst().replace('*', 'x'));
            }
        }
        return null;
    }

    /** Lists the last minute's tasks, one item: free, and answered only by a working API. */
    @Override
    public void probe() throws BackendException {
        DashScopeClient dashscope = requireClient();
        Instant now = clock.instant();
        try {
            dashscope.list(now.minus(Duration.ofMinutes(1)), now.plusSeconds(1), null, 1, 1);
        } catch (DashScopeException e) {
            throw translate(e);
        }
    }

    private DashScopeClient requireClient() throws BackendException {
        if (client == null) {
            throw new BackendException(Kind.REFUSED, "NotConfigured", notReadyReason);
        }
        return client;
    }

    /** DashScope's classification in the port's words. */
    static BackendException translate(DashScopeException e) {
        if (e.acceptanceUnknown()) {
            return new BackendException(Kind.ACCEPTANCE_UNKNOWN, e.code(), e.getMessage(), null, e);
        }
        Kind kind = switch (e.category()) {
            case RETRYABLE -> Kind.UNAVAILABLE;
            case THROTTLED -> Kind.THROTTLED;
            case INVALID_INPUT -> Kind.INVALID_INPUT;
            case AUTH -> Kind.AUTH;
            case CONTENT_POLICY -> Kind.CONTENT_POLICY;
            case UNKNOWN -> Kind.UNKNOWN;
        };
        String message = e.field() == null ? e.getMessage() : e.field() + ": " + e.getMessage();
        Duration retryAfter = e.retryAfter() != null ? e.retryAfter()
                : e.category() == ErrorCategory.THROTTLED ? Duration.ofSeconds(1) : null;
        return new BackendException(kind, e.code(), message, retryAfter, e);
    }

    /** What this process knows about one job's submission. */
    private record Submission(Instant at, String taskId, boolean mayHaveArrived) {
        static Submission sent(Instant at) {
            return new Submission(at, null, true);
        }

        static Submission created(String taskId, Instant at) {
            return new Submission(at, taskId, true);
        }

        static Submission notSent(Instant at) {
            return new Submission(at, null, false);
        }
    }
}
