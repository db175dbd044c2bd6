package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetStatus;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import dev.wanhybrid.gateway.routing.RouteReason;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Jobs that wait because a spent budget's policy is {@code queue}. Such a job is stored like any other, in phase
 * {@link JobPhase#BUDGET_QUEUED} with nothing reserved, so it survives restarts and every replica sees it; no
 * dispatcher claims it. When it is due, any instance routes it again: once an owned engine has room, the cap's
 * period has reset or the cap was raised, the fresh route's first candidate the budget admits is reserved and the
 * job moves to {@code queued} in the same transaction (so the no-overspend guarantee of the ledger holds, and of
 * two instances only one moves it); otherwise it waits on. It is due again after
 * {@code gateway.budget.queue.recheck}, at its cap's reset, or at the time it gives up, whichever comes first. At
 * its {@code routing.deadline_seconds} or {@code gateway.budget.queue.max-wait}, whichever comes first, it fails
 * with {@value #TIMEOUT}, naming the cap; nothing was reserved or billed for it.
 */
@Component
public class BudgetQueue implements DisposableBean {

    /** The error code of a job that waited as long as it may. */
    public static final String TIMEOUT = "budget_queue_timeout";
    /** The fallback reason recorded when a waiting job is routed. */
    static final String ADMITTED = "budget_queue";
    static final String DEADLINE_BOUND = "routing.deadline_seconds";
    static final String MAX_WAIT_BOUND = "gateway.budget.queue.max-wait";

    private static final Logger log = LoggerFactory.getLogger(BudgetQueue.class);

    private final JobStore store;
    private final RoutePlanner planner;
    private final SpendLedger ledger;
    private final FallbackPolicy fallback;
    private final ObjectProvider<BudgetCaps> caps;
    private final JobMetrics metrics;
    private final Clock clock;
    private final BudgetQueueProperties properties;
    private final FallbackProperties fallbackLimits;
    private final TransactionTemplate tx;
    private final PeriodicTask rounds;

    public BudgetQueue(JobStore store, RoutePlanner planner, SpendLedger ledger, ObjectProvider<BudgetCaps> caps,
            JobMetrics metrics, Clock clock, BudgetQueueProperties properties, FallbackProperties fallbackLimits,
            PlatformTransactionManager transactions) {
        this.store = store;
        this.planner = planner;
        this.ledger = ledger;
        this.fallback = new FallbackPolicy(ledger);
        this.caps = caps;
        this.metrics = metrics;
        this.clock = clock;
        this.properties = properties;
        this.fallbackLimits = fallbackLimits;
        this.tx = new TransactionTemplate(transactions);
        metrics.budgetQueued(store::countBudgetQueued);
        this.rounds = PeriodicTask.every("budget-queue", properties.poll(), () -> recheckDue());
        rounds.start();
    }

    /** Stores a request the planner answered with {@code budget_queued}: waiting, nothing reserved. */
    Job enqueue(String jobId, GenerationSpec spec, Route route) {
        Instant now = clock.instant();
        JobRoute.BudgetWait wait = waitOf(spec, now, now);
        JobRoute stored = JobRoute.of(route, route.candidates(), List.of()).withBudgetWait(wait);
        Job job = Job.budgetQueued(jobId, spec, stored, now, nextAttempt(now, properties.recheck(), wait));
        store.create(job);
        log.info("job {} tenant={} waits for budget cap {} (gives up at {})", jobId, spec.tenant(), wait.cap(),
                Instant.ofEpochSecond(wait.givesUpAt()));
        return job;
    }

    /**
     * One round: every waiting job that is due is routed again, moved on, or failed.
     *
     * @return how many left the wait (moved to {@code queued} or failed)
     */
    public int recheckDue() {
        Instant now = clock.instant();
        int left = 0;
        for (Job job : store.dueBudgetQueued(now, properties.batch())) {
            try {
                if (recheck(job, now)) {
                    left++;
                }
            } catch (RuntimeException e) {
                log.warn("job {}: routing it again after its budget wait failed ({}); it waits on", job.id(),
                        e.toString());
            }
        }
        return left;
    }

    private boolean recheck(Job job, Instant now) {
        JobRoute.BudgetWait wait = job.route().budgetWait();
        Instant givesUpAt = Instant.ofEpochSecond(wait.givesUpAt());
        if (!now.isBefore(givesUpAt)) {
            return fail(job, now, TIMEOUT, timeoutMessage(job, wait, now));
        }
        Route route;
        try {
            route = planner.plan(withDeadlineLeft(job.spec(), job.createdAt(), now));
        } catch (NoRouteException e) {
            if (DEADLINE_BOUND.equals(e.param())) {
                // What is left of the deadline is too short for any model now: waiting longer cannot help.
                return fail(job, now, TIMEOUT, timeoutMessage(job, wait, now) + " " + e.getMessage());
            }
            waitOn(job, now);
            return false;
        }
        if (RouteReason.BUDGET_QUEUED.code().equals(route.reason())) {
            waitOn(job, now);
            return false;
        }
        return admit(job, route, wait, now);
    }

    /** Reserves the fresh route's first admitted candidate and queues the job on it, in one transaction. */
    private boolean admit(Job job, Route route, JobRoute.BudgetWait wait, Instant now) {
        Optional<Job> moved = tx.execute(status -> {
            FallbackPolicy.Admitted admitted = fallback.admit(job.id(), job.spec(), route,
                    fallbackLimits.maxCostMultiple());
            if (!admitted.found()) {
                // Another job (or instance) took the room between the decision and the reservation.
                return Optional.<Job>empty();
            }
            JobRoute.Candidate chosen = admitted.route().candidates().getFirst();
            JobRoute stored = admitted.route().withFallback(new JobRoute.Fallback(job.backend(), job.model(),
                    chosen.backend(), chosen.model(), ADMITTED, admittedBecause(chosen.backend(), wait, job.createdAt(),
                            now), now.getEpochSecond()), List.of());
            Optional<Job> written = store.transition(job, JobPhase.QUEUED, null, now,
                    set -> set.backend(chosen.backend(), chosen.model(), 0).route(stored)
                            .estimateUsd(chosen.estimatedCostUsd()).nextAttemptAt(now));
            if (written.isEmpty()) {
                // Cancelled or moved by another instance meanwhile: the reservation goes with this rollback.
                status.setRollbackOnly();
            }
            return written;
        });
        if (moved.isEmpty()) {
            waitOn(job, now);
            return false;
        }
        log.info("job {} leaves its budget wait for {}/{} after {}", job.id(), moved.get().backend(),
                moved.get().model(), Duration.between(job.createdAt(), now));
        return true;
    }

    private void waitOn(Job job, Instant now) {
        JobRoute.BudgetWait old = job.route().budgetWait();
        JobRoute.BudgetWait fresh = waitOf(job.spec(), job.createdAt(), now);
        // The give-up time was promised at acceptance; a later change of the settings does not move it.
        JobRoute.BudgetWait kept = new JobRoute.BudgetWait(fresh.cap(), fresh.resetsAt(), old.givesUpAt(),
                old.bound(), fresh.detail());
        Instant next = nextAttempt(now, properties.recheck(), kept);
        store.update(job, null, now, set -> set.route(job.route().withBudgetWait(kept)).nextAttemptAt(next), false);
    }

    private boolean fail(Job job, Instant now, String code, String message) {
        Optional<Job> failed = store.transition(job, JobPhase.FAILED, null, now, set -> set.error(code,
                message.length() > 1000 ? message.substring(0, 1000) : message));
        failed.ifPresent(done -> {
            ledger.release(done.id());
            metrics.finished(done.backend(), done.model(), JobStatus.FAILED, Duration.between(done.createdAt(), now));
            log.info("job {} failed in its budget wait: {}", done.id(), code);
        });
        return failed.isPresent();
    }

    /** Why the job waits, under which cap, until when at most. */
    private JobRoute.BudgetWait waitOf(GenerationSpec spec, Instant since, Instant now) {
        BudgetCaps budgets = caps.getIfAvailable();
        Optional<BudgetStatus> tightest = budgets == null ? Optional.empty() : budgets.statusFor(spec.tenant())
                .stream().min(Comparator.comparing(BudgetStatus::remainingUsd)
                        .thenComparing(BudgetStatus::resetsAt));
        String cap = tightest.map(s -> s.cap().name()).orElse("(none)");
        Long resetsAt = tightest.map(s -> s.resetsAt().getEpochSecond()).orElse(null);
        Duration deadline = spec.routing() == null ? null : spec.routing().deadline();
        GiveUp giveUp = giveUp(since, deadline, properties.maxWait());
        String detail = "The budget cap " + cap + " has no room for this job and its policy is queue: it waits until"
                + " an owned engine has room, the cap's period resets" + (resetsAt == null ? ""
                        : " (" + Instant.ofEpochSecond(resetsAt) + ")")
                + " or the cap is raised, and fails at " + giveUp.at() + " (" + giveUp.bound() + ") if none of"
                + " these comes first.";
        return new JobRoute.BudgetWait(cap, resetsAt, giveUp.at().getEpochSecond(), giveUp.bound(), detail);
    }

    /** When a job gives up waiting, and which setting says so. */
    record GiveUp(Instant at, String bound) {}

    /** The job's deadline or the longest wait, whichever ends first. */
    static GiveUp giveUp(Instant since, Duration deadline, Duration maxWait) {
        Instant byMax = since.plus(maxWait);
        if (deadline != null && since.plus(deadline).isBefore(byMax)) {
            return new GiveUp(since.plus(deadline), DEADLINE_BOUND);
        }
        return new GiveUp(byMax, MAX_WAIT_BOUND);
    }

    /** The next time a waiting job is routed again: after the recheck interval, at its cap's reset, or at its end. */
    static Instant nextAttempt(Instant now, Duration recheck, JobRoute.BudgetWait wait) {
        Instant next = now.plus(recheck);
        if (wait.resetsAt() != null) {
            Instant reset = Instant.ofEpochSecond(wait.resetsAt());
            if (reset.isAfter(now) && reset.isBefore(next)) {
                next = reset;
            }
        }
        Instant end = Instant.ofEpochSecond(wait.givesUpAt());
        return end.isBefore(next) ? (end.isBefore(now) ? now : end) : next;
    }

    /** The request with what is left of its deadline, so its new route still finishes on time. */
    static GenerationSpec withDeadlineLeft(GenerationSpec spec, Instant createdAt, Instant now) {
        Duration deadline = spec.routing() == null ? null : spec.routing().deadline();
        if (deadline == null) {
            return spec;
        }
        Duration left = deadline.minus(Duration.between(createdAt, now));
        return spec.withRouting(spec.routing().withDeadline(left.isNegative() ? Duration.ZERO : left));
    }

    /** Why a waiting job could be routed now, as the fallback's detail. */
    static String admittedBecause(String backend, JobRoute.BudgetWait wait, Instant since, Instant now) {
        String why;
        if (!Backend.isCloud(backend)) {
            why = "an owned engine (" + backend + ") had room";
        } else if (wait.resetsAt() != null && !now.isBefore(Instant.ofEpochSecond(wait.resetsAt()))) {
            why = "the period of budget cap " + wait.cap() + " reset";
        } else {
            why = "budget cap " + wait.cap() + " had room again (raised, or spend released)";
        }
        return "Waited " + Duration.between(since, now).toSeconds() + " s under the spent budget cap " + wait.cap()
                + " (policy queue) until " + why + ".";
    }

    private static String timeoutMessage(Job job, JobRoute.BudgetWait wait, Instant now) {
        return "The job waited " + Duration.between(job.createdAt(), now).toSeconds() + " s for the budget cap "
                + wait.cap() + " (policy queue) to have room, or an owned engine, until its limit " + wait.bound()
                + " ran out; nothing was billed.";
    }

    @Override
    public void destroy() {
        rounds.stop();
    }
}
