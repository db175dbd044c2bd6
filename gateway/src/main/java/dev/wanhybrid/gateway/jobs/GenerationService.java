package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.routing.RouteReason;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The protocol-neutral use cases behind both API facades: route a request, reserve its estimate, store the job
 * durably, and read, list, cancel and delete jobs of one tenant.
 */
@Service
public class GenerationService {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JobStore store;
    private final RoutePlanner planner;
    private final SpendLedger ledger;
    private final FallbackPolicy fallback;
    private final JobMetrics metrics;
    private final Clock clock;
    private final FallbackProperties fallbackLimits;
    private final TransactionTemplate tx;
    private final Semaphore inFlight;
    private final Duration overloadRetryAfter;
    private final BudgetQueue budgetQueue;
    private final SubmitGroups groups;

    /** {@code gateway.submit.max-group}'s default on PostgreSQL: most submissions written in one commit. */
    static final int DEFAULT_MAX_GROUP = 64;
    /** {@code gateway.submit.group-writers}'s default: one group under way at a time (docs/benchmarks/submit.md). */
    static final int DEFAULT_GROUP_WRITERS = 1;

    /** A service without a budget queue (tests whose planners never answer {@code budget_queued}). */
    public GenerationService(JobStore store, RoutePlanner planner, SpendLedger ledger, JobMetrics metrics,
            Clock clock, FallbackProperties fallbackLimits, PlatformTransactionManager transactions, int maxInFlight,
            Duration overloadRetryAfter) {
        this(store, planner, ledger, metrics, clock, fallbackLimits, transactions, null, maxInFlight,
                overloadRetryAfter, DEFAULT_MAX_GROUP, DEFAULT_GROUP_WRITERS);
    }

    /**
     * @param budgetQueue where a request waits when a spent budget's policy is {@code queue}; {@code null} for a
     *     service whose planner never answers {@code budget_queued} (tests)
     * @param maxInFlight most submissions between routing and commit at once ({@code gateway.submit.max-in-flight});
     *     one more is refused at once with 503 and {@code Retry-After} rather than queued behind the store's
     *     connection pool
     * @param overloadRetryAfter what that refusal's {@code Retry-After} says ({@code gateway.submit.retry-after})
     * @param maxGroup most submissions written in one commit ({@code gateway.submit.max-group}, see
     *     {@link SubmitGroups}): a number, 1 writing each in a commit of its own, or {@code auto}
     * @param groupWriters most such commits under way at once ({@code gateway.submit.group-writers})
     */
    @org.springframework.beans.factory.annotation.Autowired
    public GenerationService(JobStore store, RoutePlanner planner, SpendLedger ledger, JobMetrics metrics,
            Clock clock, FallbackProperties fallbackLimits, PlatformTransactionManager transactions,
            BudgetQueue budgetQueue,
            @Value("${gateway.submit.max-in-flight:64}") int maxInFlight,
            @Value("${gateway.submit.retry-after:1s}") Duration overloadRetryAfter,
            @Value("${gateway.submit.max-group:auto}") String maxGroup,
            @Value("${gateway.submit.group-writers:" + DEFAULT_GROUP_WRITERS + "}") int groupWriters,
            DataSource dataSource) throws SQLException {
        this(store, planner, ledger, metrics, clock, fallbackLimits, transactions, budgetQueue, maxInFlight,
                overloadRetryAfter, SubmitGroups.maxGroup(maxGroup, dataSource), groupWriters);
    }

    /** The service with {@code gateway.submit.max-group} given as a number. */
    public GenerationService(JobStore store, RoutePlanner planner, SpendLedger ledger, JobMetrics metrics,
            Clock clock, FallbackProperties fallbackLimits, PlatformTransactionManager transactions,
            BudgetQueue budgetQueue, int maxInFlight, Duration overloadRetryAfter, int maxGroup, int groupWriters) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("gateway.submit.max-in-flight must be at least 1, was " + maxInFlight);
        }
        if (maxGroup < 1) {
            throw new IllegalArgumentException("gateway.submit.max-group must be at least 1, was " + maxGroup);
        }
        if (groupWriters < 1) {
            throw new IllegalArgumentException("gateway.submit.group-writers must be at least 1, was " + groupWriters);
        }
        this.fallbackLimits = fallbackLimits;
        this.budgetQueue = budgetQueue;
        this.tx = new TransactionTemplate(transactions);
        this.inFlight = new Semaphore(maxInFlight);
        this.overloadRetryAfter = overloadRetryAfter;
        this.store = store;
        this.planner = planner;
        this.ledger = ledger;
        this.fallback = new FallbackPolicy(ledger);
        this.groups = maxGroup == 1 ? null
                : new SubmitGroups(this.tx, ledger, store, maxGroup, groupWriters, metrics::submitGroup);
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * A fresh job id, {@code video_} and 32 hex digits, like OpenAI's (whose ids also begin with their creation time):
     * the first 12 digits are the creation time in milliseconds since 1970, the other 20 are random (80 bits).
     *
     * <p>Why time first: ids that follow each other in time sit next to each other in every index keyed by the id
     * (the jobs' primary key, the events by job, the ledger's entries), so a burst of submits changes the last page
     * of each index instead of one page per job. On the embedded H2 store each changed page is written again, whole,
     * at the next commit; with random ids that was most of a submit's cost (docs/benchmarks/submit.md).
     */
    public static String newJobId() {
        return newJobId(System.currentTimeMillis());
    }

    static String newJobId(long epochMillis) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (epochMillis >>> (40 - 8 * i));
        }
        return "video_" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Routes, reserves and stores one request: the reservation, the job and its first event in one commit, so
     * nothing is stored when this throws.
     *
     * @throws NoRouteException when no backend can run it (its status says whose fault)
     * @throws BudgetRejectedException when every feasible candidate would exceed a budget cap
     * @throws SubmitOverloadedException when {@code gateway.submit.max-in-flight} submissions are already under way
     */
    public Job create(String jobId, GenerationSpec spec) throws NoRouteException, BudgetRejectedException {
        if (!inFlight.tryAcquire()) {
            throw new SubmitOverloadedException(overloadRetryAfter);
        }
        try {
            Route route = planner.plan(spec);
            // A spent budget's lower_tier policy may have routed the request at the smaller size the caller allowed.
            GenerationSpec runs = route.lowerTier() == null ? spec : spec.withSize(route.lowerTier().to());
            if (RouteReason.BUDGET_QUEUED.code().equals(route.reason()) && budgetQueue != null) {
                // A spent budget whose policy is queue: stored to wait, with nothing reserved yet.
                Job waiting = budgetQueue.enqueue(jobId, runs, route);
                metrics.submitted(waiting.backend(), waiting.model(), runs.tenant());
                return waiting;
            }
            Accepted accepted = groups == null ? tx.execute(status -> accept(jobId, runs, route))
                    : acceptInGroup(jobId, runs, route);
            if (accepted.refusal() != null) {
                throw accepted.refusal();
            }
            Job job = accepted.job();
            RouteCandidate chosen = accepted.chosen();
            metrics.submitted(chosen.backend(), chosen.model(), runs.tenant());
            log.debug("job {} tenant={} routed to {}/{} reason={} rejected={}", jobId, runs.tenant(),
                    chosen.backend(), chosen.model(), route.reason(), job.route().rejected().size());
            return job;
        } finally {
            inFlight.release();
        }
    }

    private record Accepted(Job job, RouteCandidate chosen, BudgetRejectedException refusal) {}

    /** The group commit of submissions, or {@code null} when each is written alone (tests look at it). */
    SubmitGroups submitGroups() {
        return groups;
    }

    /**
     * A submission no budget cap applies to is written with others waiting at the same moment ({@link SubmitGroups});
     * one a cap applies to goes through {@link #accept} in a transaction of its own, since its reservation may be
     * refused and must then leave the others alone.
     */
    private Accepted acceptInGroup(String jobId, GenerationSpec spec, Route route) {
        Optional<FallbackPolicy.Grouped> uncapped = fallback.admitNewUncapped(jobId, spec, route,
                fallbackLimits.maxCostMultiple());
        if (uncapped.isEmpty()) {
            return tx.execute(status -> accept(jobId, spec, route));
        }
        FallbackPolicy.Admitted admitted = uncapped.get().admitted();
        Job job = Job.accepted(jobId, spec, admitted.route(), clock.instant());
        groups.write(job, uncapped.get().reservation());
        return new Accepted(job, admitted.chosen(), null);
    }

    /** Inside the submission's transaction: the first candidate the budget admits is reserved, then the job written. */
    private Accepted accept(String jobId, GenerationSpec spec, Route route) {
        FallbackPolicy.Admitted admitted = fallback.admitNew(jobId, spec, route, fallbackLimits.maxCostMultiple());
        if (!admitted.found()) {
            return new Accepted(null, null, new BudgetRejectedException(admitted.refusal()));
        }
        Job job = Job.accepted(jobId, spec, admitted.route(), clock.instant());
        store.create(job);
        return new Accepted(job, admitted.chosen(), null);
    }

    public Optional<Job> find(String tenant, String id) {
        return store.findVisible(tenant, id);
    }

    /** One page of a tenant's jobs, newest first unless {@code ascending}. */
    public Page list(String tenant, String afterId, int limit, boolean ascending) {
        Job after = null;
        if (afterId != null) {
            after = store.findVisible(tenant, afterId).orElseThrow(() -> new UnknownCursorException(afterId));
        }
        List<Job> rows = store.list(tenant, after, limit, ascending);
        boolean more = rows.size() > limit;
        return new Page(more ? rows.subList(0, limit) : rows, more);
    }

    /**
     * Asks for a job to stop. A queued job nobody has claimed is cancelled at once; otherwise the flag is set and
     * the dispatcher that owns the job cancels it at the backend (on whichever instance that is).
     */
    public Optional<Job> cancel(String tenant, String id) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Job> found = store.findVisible(tenant, id);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Job job = found.get();
            if (job.phase().isTerminal() || job.cancelRequested()) {
                return found;
            }
            Instant now = clock.instant();
            Optional<Job> written;
            boolean unclaimed = job.leaseOwner() == null || job.leaseExpiresAt().isBefore(now);
            if ((job.phase() == JobPhase.QUEUED || job.phase() == JobPhase.BUDGET_QUEUED) && unclaimed) {
                written = store.transition(job, JobPhase.CANCELLED, null, now,
                        set -> set.cancelRequested().error("cancelled", "Cancelled by the caller."));
                written.ifPresent(done -> {
                    ledger.release(done.id());
                    metrics.finished(done.backend(), done.model(), JobStatus.CANCELLED,
                            java.time.Duration.between(done.createdAt(), now));
                });
            } else {
                written = store.update(job, null, now, set -> set.cancelRequested().nextAttemptAt(now), true);
            }
            if (written.isPresent()) {
                return written;
            }
        }
        throw new IllegalStateException("job " + id + " kept changing while being cancelled");
    }

    /** Hides a job from the API; an unfinished one is cancelled first. Returns empty when there is no such job. */
    public Optional<Job> delete(String tenant, String id) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Job> found = store.findVisible(tenant, id);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Job job = found.get();
            if (!job.phase().isTerminal() && !job.cancelRequested()) {
                cancel(tenant, id);
                continue;
            }
            Instant now = clock.instant();
            Optional<Job> written = store.update(job, null, now, set -> set.deleted().nextAttemptAt(now), true);
            if (written.isPresent()) {
                return written;
            }
        }
        throw new IllegalStateException("job " + id + " kept changing while being deleted");
    }

    /** A page of jobs and whether more follow. */
    public record Page(List<Job> jobs, boolean hasMore) {}

    /** An {@code after} cursor that names no visible job of the tenant. */
    public static class UnknownCursorException extends RuntimeException {
        public UnknownCursorException(String id) {
            super("No video found with id '" + id + "' to continue the listing after.");
        }
    }
}
