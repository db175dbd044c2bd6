package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.backend.BackendReadiness;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.RemoteLoad;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.backend.ResilientVideoBackend;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.cost.budget.WhenExhausted;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.time.Instant;
import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.cost.routing.ServiceTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Gathers the live state (breaker states, readiness, the local queue, budget headroom, recent cloud latency),
 * hands it to the pure {@link Router}, then counts and logs the decision. Prompts are never logged.
 */
public class DefaultRoutePlanner implements RoutePlanner {

    private static final Logger log = LoggerFactory.getLogger(DefaultRoutePlanner.class);

    private static final List<String> BACKENDS = List.of(Backend.LOCAL.id(), Backend.CLOUD.id());

    private final Router router = new Router();
    private final ModelCatalog catalog;
    private final ResilientBackendRegistry backends;
    // Resolved on first use and then held: a bean lookup per request cost about a tenth of a submit's CPU.
    private final Supplier<LocalCapacity> local;
    private final Supplier<BudgetCaps> caps;
    private final CostEstimator costs;
    private final CloudLatencyTracker latency;
    private final RoutingMetrics metrics;
    private final Clock clock;
    private final LocalAdmission admission;
    /** {@link #admission} without pre-emption, for plans whose runs cannot be suspended; made once. */
    private final LocalAdmission admissionWithoutPreemption;
    /** The two above without hedging, for while the {@link HedgeGuard} pauses it; made once. */
    private final LocalAdmission unhedged;
    private final LocalAdmission unhedgedWithoutPreemption;
    /** Pauses hedging while the cloud is slower than the rescue margin allows; null: never paused. */
    private final HedgeGuard hedgeGuard;
    private final DemandWindow demand = new DemandWindow();
    private final AtomicLong ids = new AtomicLong();

    /**
     * @param local what the local backend can take on now: this JVM's engines, or the cluster's GPU workers in
     *     cluster mode (see {@link LocalCapacity})
     */
    public DefaultRoutePlanner(ModelCatalog catalog, ResilientBackendRegistry backends,
            ObjectProvider<LocalCapacity> local, ObjectProvider<BudgetCaps> caps, CostEstimator costs,
            CloudLatencyTracker latency, RoutingMetrics metrics, Clock clock) {
        this(catalog, backends, local, caps, costs, latency, metrics, clock, new LocalAdmission());
    }

    /** As above, with the routing core's admission rule (its pressure knee) given. */
    public DefaultRoutePlanner(ModelCatalog catalog, ResilientBackendRegistry backends,
            ObjectProvider<LocalCapacity> local, ObjectProvider<BudgetCaps> caps, CostEstimator costs,
            CloudLatencyTracker latency, RoutingMetrics metrics, Clock clock, LocalAdmission admission) {
        this(catalog, backends, local, caps, costs, latency, metrics, clock, admission, null);
    }

    /** As above, with hedging paused by {@code hedgeGuard} while the cloud is too slow for a rescue. */
    public DefaultRoutePlanner(ModelCatalog catalog, ResilientBackendRegistry backends,
            ObjectProvider<LocalCapacity> local, ObjectProvider<BudgetCaps> caps, CostEstimator costs,
            CloudLatencyTracker latency, RoutingMetrics metrics, Clock clock, LocalAdmission admission,
            HedgeGuard hedgeGuard) {
        this.admission = admission;
        this.admissionWithoutPreemption = admission.preemption() ? admission.withPreemptibleWork(false) : admission;
        this.unhedged = admission.hedging() ? admission.withHedging(false) : admission;
        this.unhedgedWithoutPreemption = admissionWithoutPreemption.hedging()
                ? admissionWithoutPreemption.withHedging(false) : admissionWithoutPreemption;
        this.hedgeGuard = hedgeGuard;
        this.catalog = catalog;
        this.backends = backends;
        this.local = SingletonSupplier.of(local::getIfAvailable);
        this.caps = SingletonSupplier.of(caps::getIfAvailable);
        this.costs = costs;
        this.latency = latency;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Route plan(GenerationSpec spec) throws NoRouteException {
        RoutingContext ctx = context(spec.tenant());
        try {
            Route route = decide(spec, ctx);
            RouteCandidate chosen = route.chosen();
            metrics.decision(chosen.backend(), route.reason());
            RouteReason reason = reasonOf(route.reason());
            if (reason != null && reason.isFallback()) {
                String from = reason == RouteReason.REMOTE_UNAVAILABLE ? "remote"
                        : (Backend.LOCAL.is(chosen.backend()) ? Backend.CLOUD : Backend.LOCAL).id();
                metrics.fallback(from, chosen.backend(), route.reason());
            }
            // Per request, so DEBUG: the accepted job's one INFO line (jobs.GenerationService) names its route.
            log.debug("route tenant={} requested={} -> {}/{} reason={} estimate=${} in ~{}s, {} fallback(s), {} ruled out",
                    spec.tenant(), spec.model(), chosen.backend(), chosen.model(), route.reason(),
                    chosen.estimatedCostUsd().toPlainString(), chosen.estimatedTime().toSeconds(),
                    route.candidates().size() - 1, route.rejected().size());
            if (log.isDebugEnabled()) {
                route.rejected().forEach(r -> log.debug("  ruled out {}/{}: {} ({})", r.backend(), r.model(),
                        r.reason(), r.detail()));
            }
            return route;
        } catch (NoRouteException e) {
            metrics.decision("none", e.code());
            log.debug("no route tenant={} requested={}: {} {} ({})", spec.tenant(), spec.model(), e.httpStatus(),
                    e.code(), e.getMessage());
            throw e;
        }
    }

    /**
     * The router's decision; when every option is over a spent budget whose policy is {@code lower_tier} and the
     * caller allowed a smaller size ({@code routing.lower_tier_size}), the decision for the request at that size,
     * with the route saying so; when its policy is {@code queue}, a route whose reason is {@code budget_queued}
     * (see {@link BudgetQueueing}).
     */
    private Route decide(GenerationSpec spec, RoutingContext ctx) throws NoRouteException {
        try {
            synchronized (demand) { // the demand window is the one state decisions share
                return router.decide(spec, ctx);
            }
        } catch (NoRouteException e) {
            if (BudgetQueueing.queues(ctx.whenExhausted(), e)) {
                return queued(spec, ctx, e);
            }
            VideoSize lower = spec.routing().lowerTierSize();
            if (!"budget_exceeded".equals(e.code()) || ctx.whenExhausted() != WhenExhausted.LOWER_TIER
                    || lower == null || lower.equals(spec.size())) {
                throw e;
            }
            Route lowered;
            try {
                synchronized (demand) {
                    lowered = router.decide(spec.withSize(lower), ctx);
                }
            } catch (NoRouteException atLower) {
                throw new NoRouteException(e.httpStatus(), e.param(), e.code(), e.getMessage()
                        + " At routing.lower_tier_size " + lower + " too: " + atLower.getMessage(), e.rejected());
            }
            List<RejectedCandidate> rejected = new java.util.ArrayList<>(e.rejected());
            rejected.addAll(lowered.rejected());
            String asked = spec.size() == null ? "the model's default size" : spec.size().toString();
            return new Route(lowered.candidates(), rejected, RouteReason.LOWER_TIER.code(), new Route.LowerTier(
                    spec.size(), lower, "The budget is spent for a video at " + asked + " (" + e.getMessage()
                            + ") and its policy is lower_tier, so the request runs at " + lower
                            + ", the size routing.lower_tier_size allows."), lowered.hedge());
        }
    }

    /**
     * A spent budget whose policy is {@code queue} refused the request: the route it would take once the budget
     * allowed it (the decision without budget headroom), with the refusal's rejections and the reason
     * {@code budget_queued}. When nothing could take it even then, the refusal stands.
     */
    private Route queued(GenerationSpec spec, RoutingContext ctx, NoRouteException refusal) throws NoRouteException {
        Route unbudgeted;
        try {
            synchronized (demand) {
                unbudgeted = router.decide(spec, ctx.withoutBudget());
            }
        } catch (NoRouteException beyondBudget) {
            throw refusal;
        }
        return new Route(unbudgeted.candidates(), refusal.rejected(), RouteReason.BUDGET_QUEUED.code());
    }

    /** The live state the decision reads, captured once. */
    public RoutingContext context(String tenant) {
        LocalCapacity capacity = local.get();
        LocalCapacity.Snapshot here = capacity == null ? null : capacity.snapshot();
        Map<String, BackendHealth> health = new HashMap<>();
        for (String id : backendIds()) {
            Optional<ResilientVideoBackend> backend = backends.decorated(id);
            if (backend.isEmpty()) {
                health.put(id, new BackendHealth(id, false, "CLOSED", "no " + id
                        + " backend is configured in this gateway.", Set.of()));
                continue;
            }
            String breaker = backend.get().circuitBreaker().getState().name();
            boolean self = Backend.LOCAL.is(id) && here != null;
            BackendReadiness readiness = self ? here.readiness() : backend.get().readiness();
            Set<String> served = self ? here.servedModels() : Set.of();
            RemoteLoad load = backend.get().delegate() instanceof RemoteLoad.Source source ? source.load() : null;
            health.put(id, new BackendHealth(id, readiness.ready(), breaker, readiness.detail(), served, load));
        }
        LocalQueueState queue = here == null ? LocalQueueState.IDLE : here.queue();
        Map<String, BigDecimal> headroom = new HashMap<>();
        BudgetCaps budget = caps.get();
        WhenExhausted whenExhausted = WhenExhausted.REJECT;
        if (budget != null && tenant != null) {
            whenExhausted = budget.whenExhausted(tenant);
            // Local and every paid cloud source (each has its own estimate against the caps).
            for (String id : backendIds().stream().filter(id -> Backend.LOCAL.is(id) || Backend.isCloud(id)).toList()) {
                // Under local_only and queue a spent budget never refuses owned engines (the ledger records their
                // cost).
                if (whenExhausted.refusesOwnedEngines() || Backend.isCloud(id)) {
                    budget.headroomUsd(tenant, id).ifPresent(left -> headroom.put(id, left));
                }
            }
        }
        Instant now = clock.instant();
        return new RoutingContext(catalog, health, queue, latency.snapshot(), costs, headroom, now,
                planOf(queue, now), whenExhausted);
    }

    /** {@code local} and {@code cloud}, configured or not, then every other registered backend (remote engines). */
    private List<String> backendIds() {
        var ids = new java.util.ArrayList<>(BACKENDS);
        backends.all().stream().map(b -> b.id()).filter(id -> !ids.contains(id)).forEach(ids::add);
        return ids;
    }

    /** The admission rule for a decision now: with or without pre-emption, and without hedging while paused. */
    LocalAdmission admissionNow(boolean preempting) {
        boolean hedgingPaused = hedgeGuard != null && !hedgeGuard.allowsHedging();
        if (preempting) {
            return hedgingPaused ? unhedged : admission;
        }
        return hedgingPaused ? unhedgedWithoutPreemption : admissionWithoutPreemption;
    }

    /**
     * The routing core's plan of the local backend. Where it reports each task (this JVM's engines), the plan holds
     * them job by job: running ones from their start, queued ones in deadline order, each with its modelled service
     * time, so admission weighs a newcomer against the deadlines already promised. Where it reports only counts and
     * the wait (the cluster's fleet view), every busy worker is planned busy until the reported wait is over.
     */
    private LocalPlanState planOf(LocalQueueState queue, Instant now) {
        double clockSeconds = now.toEpochMilli() / 1000.0;
        if (queue.tasks() == null) {
            // Counts only: no run is known by its task, so none can be suspended.
            return new LocalPlanState(planOfCounts(queue, clockSeconds), demand, admissionNow(false),
                    clockSeconds, ids.incrementAndGet());
        }
        boolean preempting = admission.preemption() && queue.suspends();
        Map<Long, LocalQueueState.Run> runs = preempting ? new HashMap<>() : null;
        LocalSchedule plan = planOfTasks(queue.tasks(), Math.max(1, queue.workers()), this::serviceTime,
                clockSeconds, admission.suspendOverheadSeconds(), runs);
        return new LocalPlanState(plan, demand, admissionNow(preempting), clockSeconds, ids.incrementAndGet(), runs);
    }

    /**
     * The queued task that has reached its latest start (its deadline less its pessimistic time) with every GPU busy,
     * and the running task the routing core suspends so that it can start at that run's next step boundary
     * ({@link LocalAdmission#suspensionFor}), as the replay does at each queued job's latest start, asked to suspend
     * ({@link LocalCapacity#suspend}); empty when pre-emption is off, no task is at its latest start, no run
     * qualifies, or the backend refused.
     */
    public Optional<LatestStartSuspension> suspendAtLatestStart() {
        LocalCapacity capacity = local.get();
        if (!admission.preemption() || capacity == null) {
            return Optional.empty();
        }
        return latestStartSuspension(capacity.snapshot().queue(), clock.instant().toEpochMilli() / 1000.0, admission,
                this::serviceTime).filter(s -> capacity.suspend(s.victim().taskId(), "for task "
                        + s.waiting().taskId() + " (job " + s.waiting().jobId() + "), queued and at its latest start"));
    }

    /**
     * The pair {@link #suspendAtLatestStart} asks for, on {@code queue} at {@code now} (epoch seconds): the first
     * queued task, beyond those GPUs already freeing at a step boundary will take, whose latest start has come with
     * every GPU busy, and the run the core suspends for it; empty when there is none.
     */
    static Optional<LatestStartSuspension> latestStartSuspension(LocalQueueState queue, double now,
            LocalAdmission admission, java.util.function.Function<LocalQueueState.Task, ServiceTime> times) {
        if (!admission.preemption() || queue.tasks() == null || !queue.suspends() || queue.queued() == 0) {
            return Optional.empty();
        }
        Map<Long, LocalQueueState.Run> runs = new HashMap<>();
        LocalSchedule plan = planOfTasks(queue.tasks(), Math.max(1, queue.workers()), times, now,
                admission.suspendOverheadSeconds(), runs);
        if (plan.idleGpu() >= 0) {
            return Optional.empty();
        }
        int freeing = 0;
        for (int g = 0; g < plan.gpus(); g++) {
            if (plan.suspending(g)) {
                freeing++;
            }
        }
        int ahead = 0;
        for (LocalSchedule.Job waiting : plan.queuedJobs()) {
            ahead++;
            if (ahead <= freeing || waiting.due() - waiting.time().pessimisticSeconds() > now) {
                continue;
            }
            LocalSchedule.Job victim = admission.suspensionFor(waiting, now, plan);
            LocalQueueState.Run v = victim == null ? null : runs.get(victim.id());
            LocalQueueState.Run w = runs.get(waiting.id());
            // One look a round: the freed GPU takes the queue's head, and the next round looks again.
            return v == null || w == null ? Optional.empty() : Optional.of(new LatestStartSuspension(v, w));
        }
        return Optional.empty();
    }

    /**
     * A run asked to suspend so that a queued task at its latest start can begin.
     *
     * @param victim the running task asked to suspend
     * @param waiting the queued task it makes room for
     */
    public record LatestStartSuspension(LocalQueueState.Run victim, LocalQueueState.Run waiting) {}

    private static LocalSchedule planOfCounts(LocalQueueState queue, double clockSeconds) {
        LocalSchedule plan = new LocalSchedule(Math.max(1, queue.workers()));
        double wait = queue.estimatedWait().toMillis() / 1000.0;
        int busy = Math.min(plan.gpus(), queue.running() + queue.queued());
        for (int g = 0; g < busy && wait > 0; g++) {
            plan.putRunning(g, new LocalSchedule.Job(-1 - g, Double.MAX_VALUE, new ServiceTime(wait, wait)), clockSeconds);
        }
        return plan;
    }

    /**
     * A plan of the reported tasks on {@code workers} GPUs; their ids are negative and rise with arrival, so they
     * keep their order among themselves and go before a newcomer with the same deadline.
     */
    static LocalSchedule planOfTasks(List<LocalQueueState.Task> tasks, int workers,
            java.util.function.Function<LocalQueueState.Task, ServiceTime> times) {
        return planOfTasks(tasks, workers, times, 0, 0, null);
    }

    /**
     * As above, with what pre-emption needs where the tasks report it ({@link LocalQueueState.Run}): a hedged task
     * carries its hedge point; a task that resumes where a suspension left it is planned on what is left of its work
     * plus the resume's overhead; a running task's progress says how much of its run is left; a run asked to
     * suspend is planned suspending at its next step boundary, what is left of it queued again.
     *
     * @param now the plan's clock, in epoch seconds
     * @param overhead GPU-seconds a suspension and its resume cost together
     * @param runs filled with each task's {@link LocalQueueState.Run} by its id in the plan; {@code null}: not wanted
     */
    static LocalSchedule planOfTasks(List<LocalQueueState.Task> tasks, int workers,
            java.util.function.Function<LocalQueueState.Task, ServiceTime> times, double now, double overhead,
            Map<Long, LocalQueueState.Run> runs) {
        LocalSchedule plan = new LocalSchedule(workers);
        int gpu = 0;
        for (LocalQueueState.Task t : tasks) {
            double due = t.dueBy() == null ? Double.POSITIVE_INFINITY : t.dueBy().toEpochMilli() / 1000.0;
            LocalQueueState.Run run = t.run();
            ServiceTime time = times.apply(t);
            double hedgeAt = Double.NaN;
            if (run != null) {
                hedgeAt = run.hedgeAt() == null ? Double.NaN : run.hedgeAt().toEpochMilli() / 1000.0;
                time = remainder(time, run.workLeftAtStart(), overhead);
            }
            long id = Long.MIN_VALUE / 2 + t.arrival();
            LocalSchedule.Job job = new LocalSchedule.Job(id, due, time, hedgeAt);
            if (runs != null && run != null) {
                runs.put(id, run);
            }
            if (t.startedAt() != null && gpu < workers) {
                int g = gpu++;
                plan.putRunning(g, job, t.startedAt().toEpochMilli() / 1000.0);
                if (run != null && !Double.isNaN(run.workLeft()) && run.workLeftAtStart() > 0) {
                    plan.reportProgress(g, Math.max(0, Math.min(1, run.workLeft() / run.workLeftAtStart())));
                }
                if (run != null && run.suspending()) {
                    plan.suspend(g, Math.max(now, t.startedAt().toEpochMilli() / 1000.0), overhead);
                }
            } else {
                plan.enqueue(job);
            }
        }
        return plan;
    }

    /** A run's service time for what is left of its work, {@code share}, plus a resume's overhead; the whole at 1. */
    private static ServiceTime remainder(ServiceTime whole, double share, double overhead) {
        if (share >= 1) {
            return whole;
        }
        double expected = Math.max(1e-3, whole.expectedSeconds() * share + overhead);
        double pessimistic = Math.max(expected, whole.pessimisticSeconds() * share + overhead);
        return new ServiceTime(expected, pessimistic, (int) Math.round(whole.steps() * share));
    }

    /** A task's service time: the throughput model's where it knows the model, else the catalog's figure. */
    private ServiceTime serviceTime(LocalQueueState.Task t) {
        Optional<CatalogModel> model = catalog.find(t.model());
        Optional<ServiceTime> modelled = model.flatMap(m -> costs.localServiceTime(m, t.size(), t.seconds()));
        if (modelled.isPresent()) {
            return modelled.get();
        }
        double seconds = model.flatMap(m -> m.tierOf(t.size()))
                .map(tier -> tier.serviceTimePerSecond().multipliedBy(t.seconds()).toMillis() / 1000.0)
                .filter(s -> s > 0).orElse(60.0 * t.seconds());
        return new ServiceTime(seconds, seconds);
    }

    private static RouteReason reasonOf(String code) {
        for (RouteReason r : RouteReason.values()) {
            if (r.code().equals(code)) {
                return r;
            }
        }
        return null;
    }

}
