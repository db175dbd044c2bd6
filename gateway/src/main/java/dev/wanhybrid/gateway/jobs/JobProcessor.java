package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskClaims;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.routing.RejectedCandidate;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.ResultTooLargeException;
import dev.wanhybrid.gateway.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/**
 * Advances one job by one step according to its phase. Each step writes the next phase before it calls the
 * backend ("write, then act"), so a crash between the two leaves a row that says what may have happened:
 * a job found in {@code submitting} is reconciled, never resubmitted blindly.
 */
@Component
public class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);
    /** An estimate never claims more than this: only the backend can say a video is done. */
    static final int MAX_ESTIMATED_PROGRESS = 95;
    private static final Set<BackendException.Kind> FALL_BACK = Set.of(BackendException.Kind.REFUSED,
            BackendException.Kind.UNAVAILABLE, BackendException.Kind.THROTTLED);

    private final JobStore store;
    private final BackendRegistry backends;
    /** When each job's backend first failed to answer a poll, for backends with an unreachable limit. */
    private final java.util.Map<String, Instant> unreachableSince = new java.util.concurrent.ConcurrentHashMap<>();
    private final SpendLedger ledger;
    private final FallbackPolicy fallback;
    private final ResultStore results;
    private final ResultPreviews previews;
    private final JobMetrics metrics;
    private final JobProperties properties;
    private final Clock clock;

    public JobProcessor(JobStore store, BackendRegistry backends, SpendLedger ledger,
            ResultStore results, ResultPreviews previews, JobMetrics metrics, JobProperties properties, Clock clock) {
        this.store = store;
        this.backends = backends;
        this.ledger = ledger;
        this.fallback = new FallbackPolicy(ledger);
        this.results = results;
        this.previews = previews;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Runs one step of an owned job.
     *
     * @param servable which backends this instance may submit to (a fallback to another backend hands the job
     *     over to an instance that serves it)
     */
    public void advance(Job job, String owner, Predicate<String> servable) {
        if (job.phase().isTerminal()) {
            return;
        }
        if (job.cancelRequested()) {
            cancel(job, owner);
            return;
        }
        switch (job.phase()) {
            case QUEUED -> submit(job, owner, servable);
            case SUBMITTING -> {
                // Only a dispatcher that died inside submit() leaves this phase behind: the task may exist.
                log.warn("job {} found in submitting: reconciling instead of resubmitting", job.id());
                store.transition(job, JobPhase.SUBMISSION_UNKNOWN, owner, now(),
                        set -> set.nextAttemptAt(now()));
            }
            case SUBMISSION_UNKNOWN -> reconcile(job, owner);
            case RUNNING, FETCHING_RESULT -> poll(job, owner, servable);
            default -> throw new IllegalStateException("unexpected phase " + job.phase());
        }
    }

    private void submit(Job job, String owner, Predicate<String> servable) {
        if (hedgeDue(job)) {
            // Not handed to the engine by its hedge point: it leaves for its rescue without using a GPU.
            hedgeToCloud(job, owner, servable, null, "It had not started by its hedge point.");
            return;
        }
        Optional<VideoBackend> backend = backends.find(job.backend());
        if (backend.isEmpty()) {
            fallBack(job, owner, servable, "not_configured", "backend " + job.backend() + " is not configured here");
            return;
        }
        Instant now = now();
        Optional<Job> submitting = store.transition(job, JobPhase.SUBMITTING, owner, now,
                set -> set.attempts(job.attempts() + 1).submittedAt(now));
        if (submitting.isEmpty()) {
            return;
        }
        Job current = submitting.get();
        BackendTask task = task(current);
        try {
            String taskId = backend.get().submit(task);
            store.transition(current, JobPhase.RUNNING, owner, now(),
                    set -> set.taskId(taskId).polls(0).nextAttemptAt(now().plus(properties.pollMin())));
            log.info("job {} accepted by {} as task {}", job.id(), job.backend(), taskId);
        } catch (BackendException e) {
            switch (e.kind()) {
                case ACCEPTANCE_UNKNOWN -> {
                    log.warn("job {}: acceptance by {} unknown ({}); holding it for reconciliation", job.id(),
                            job.backend(), e.getMessage());
                    store.transition(current, JobPhase.SUBMISSION_UNKNOWN, owner, now(),
                            set -> set.nextAttemptAt(now().plus(properties.reconcileInterval())));
                }
                case REFUSED, UNAVAILABLE, THROTTLED -> {
                    if (fallback.movesOn(current, now(), properties.maxBackendWait())) {
                        fallBack(current, owner, servable, reasonOf(e), e.getMessage());
                    } else {
                        waitForBackend(current, owner, e);
                    }
                }
                default -> fail(current, owner, errorCode(e), e.getMessage());
            }
        } catch (RuntimeException e) {
            // An unexpected exception may have come after the request left: treat the acceptance as unknown.
            log.warn("job {}: submit to {} threw {}; reconciling", job.id(), job.backend(), e.toString());
            store.transition(current, JobPhase.SUBMISSION_UNKNOWN, owner, now(),
                    set -> set.nextAttemptAt(now().plus(properties.reconcileInterval())));
        }
    }

    /**
     * The last candidate is only briefly unable to take the job (refused, throttled, down): keep the job queued
     * for it, with its reservation, and try again after a backoff that honours the backend's Retry-After, instead
     * of failing a pinned job over a short outage. Any instance may pick it up again.
     */
    private void waitForBackend(Job job, String owner, BackendException e) {
        int doublings = Math.min(Math.max(job.attempts() - 1, 0), 5);
        Duration wait = properties.retryInterval().multipliedBy(1L << doublings);
        if (e.retryAfter() != null && e.retryAfter().compareTo(wait) > 0) {
            wait = e.retryAfter();
        }
        Instant next = now().plus(wait);
        Optional<Job> queued = store.transition(job, JobPhase.QUEUED, owner, now(),
                set -> set.nextAttemptAt(next).releaseLease());
        if (queued.isPresent()) {
            log.info("job {}: {} cannot take it now ({}); retrying in {}", job.id(), job.backend(), e.getMessage(),
                    wait);
        }
    }

    private void reconcile(Job job, String owner) {
        Optional<VideoBackend> backend = backends.find(job.backend());
        if (backend.isEmpty()) {
            store.update(job, owner, now(), set -> set.nextAttemptAt(now().plus(properties.reconcileInterval())), false);
            return;
        }
        try {
            Optional<String> taskId = backend.get().reconcile(task(job), claims(job));
            if (taskId.isPresent()) {
                log.info("job {} reconciled: {} has it as task {}", job.id(), job.backend(), taskId.get());
                store.transition(job, JobPhase.RUNNING, owner, now(),
                        set -> set.taskId(taskId.get()).polls(0).nextAttemptAt(now()));
            } else {
                // The backend certainly has no task for this job, so submitting again cannot duplicate it.
                log.info("job {} reconciled: {} never received it; submitting again", job.id(), job.backend());
                store.transition(job, JobPhase.QUEUED, owner, now(), set -> set.nextAttemptAt(now()));
            }
        } catch (DuplicateKeyException e) {
            // Another job bound that task first (another instance, same instant): decide again with fresh claims.
            log.info("job {}: the task reconciliation found was bound to another job first; deciding again", job.id());
            store.update(job, owner, now(), set -> set.nextAttemptAt(now()), false);
        } catch (BackendException e) {
            Instant since = job.submittedAt() != null ? job.submittedAt() : job.updatedAt();
            if (!now().isBefore(since.plus(properties.reconcileDeadline()))) {
                backend.get().abandon(task(job));
                fail(job, owner, "submission_unresolved", "The " + job.backend() + " backend's answer to the "
                        + "submission was lost and its records could not tell within " + properties.reconcileDeadline()
                        + " whether it created a task (last: " + e.getMessage() + "). Any charge for such a task is "
                        + "recorded by billing reconciliation.");
                return;
            }
            log.info("job {}: reconciliation with {} not decided yet ({})", job.id(), job.backend(), e.getMessage());
            store.update(job, owner, now(),
                    set -> set.nextAttemptAt(now().plus(retryDelay(e, properties.reconcileInterval()))), false);
        }
    }

    /** Task ids other jobs hold, from the durable store (every instance, every earlier process). */
    private TaskClaims claims(Job job) {
        return taskIds -> store.claimedTaskIds(job.backend(), taskIds);
    }

    private void poll(Job job, String owner, Predicate<String> servable) {
        Optional<VideoBackend> found = backends.find(job.backend());
        if (found.isEmpty()) {
            store.update(job, owner, now(), set -> set.nextAttemptAt(now().plus(properties.pollMax())), false);
            return;
        }
        VideoBackend backend = found.get();
        TaskSnapshot snapshot;
        try {
            backend.track(task(job), job.taskId());
            snapshot = backend.poll(job.taskId());
            unreachableSince.remove(job.id());
        } catch (BackendException e) {
            Optional<Duration> limit = backend.unreachableLimit();
            if (limit.isPresent() && !e.isRetryable() && e.kind() != BackendException.Kind.REFUSED) {
                unreachableSince.remove(job.id());
            } else if (limit.isPresent()) {
                Instant since = unreachableSince.computeIfAbsent(job.id(), id -> now());
                if (Duration.between(since, now()).compareTo(limit.get()) >= 0) {
                    unreachableSince.remove(job.id());
                    log.warn("job {}: {} has not answered for {}; taking the job from it", job.id(), job.backend(),
                            limit.get());
                    fallBack(job, owner, servable, "backend_unreachable", "The " + job.backend()
                            + " backend stopped answering while it held the job (" + e.getMessage() + ").");
                    return;
                }
            }
            store.update(job, owner, now(),
                    set -> set.polls(job.polls() + 1).nextAttemptAt(now().plus(retryDelay(e, pollInterval(job)))),
                    false);
            return;
        }
        if (hedgeDue(job) && (!snapshot.state().isTerminal() || snapshot.state() == TaskSnapshot.State.CANCELED)) {
            Optional<String> late = Hedging.lateAtHedgePoint(snapshot, now(), deadlineOf(job));
            if (late.isPresent()) {
                hedgeToCloud(job, owner, servable, backend, late.get());
                return;
            }
            // On course to finish in time: it stays here, and the hedge is done with.
            Optional<Job> kept = store.update(job, owner, now(),
                    set -> set.route(job.route().withHedgeOutcome(Hedging.KEPT_LOCAL)).nextAttemptAt(now()), true);
            kept.ifPresent(k -> log.info("job {} keeps its local run at its hedge point: {}", job.id(),
                    Hedging.projection(snapshot, now())));
            return;
        }
        switch (snapshot.state()) {
            case PENDING, RUNNING -> {
                int progress = Math.max(job.progress(),
                        snapshot.progress() < 0 ? estimatedProgress(job) : snapshot.progress());
                Instant next = now().plus(pollInterval(job));
                if (job.route().hedgePending(job.candidateIndex()) && job.route().hedge().point().isBefore(next)) {
                    next = job.route().hedge().point(); // look at it at its hedge point, not a poll later
                }
                Instant nextPoll = next;
                store.update(job, owner, now(),
                        set -> set.progress(Math.min(progress, 99)).polls(job.polls() + 1)
                                .nextAttemptAt(nextPoll),
                        Math.min(progress, 99) != job.progress());
            }
            case SUCCEEDED -> complete(job, owner, backend, snapshot);
            case FAILED -> fail(job, owner, snapshot.errorCode() == null ? "generation_failed" : snapshot.errorCode(),
                    snapshot.errorMessage() == null ? "The backend reported a failure." : snapshot.errorMessage());
            case CANCELED -> finishCancelled(job, owner, "The backend cancelled the task.");
            case UNKNOWN -> lost(job, owner);
        }
    }

    private void complete(Job job, String owner, VideoBackend backend, TaskSnapshot snapshot) {
        Job current = job;
        if (job.phase() != JobPhase.FETCHING_RESULT) {
            Optional<Job> fetching = store.transition(job, JobPhase.FETCHING_RESULT, owner, now(), set -> {});
            if (fetching.isEmpty()) {
                return;
            }
            current = fetching.get();
        }
        String key = "videos/" + job.id() + ".mp4";
        StoredObject stored;
        try (InputStream in = backend.openResult(snapshot)) {
            stored = results.put(key, in, properties.maxResultSize().toBytes());
        } catch (ResultTooLargeException e) {
            fail(current, owner, "result_too_large", e.getMessage());
            return;
        } catch (IOException | BackendException | RuntimeException e) {
            log.warn("job {}: copying the result from {} failed ({}); retrying", job.id(), job.backend(), e.toString());
            Job retry = current;
            store.update(retry, owner, now(), set -> set.nextAttemptAt(now().plus(properties.retryInterval())), false);
            return;
        }
        // The stills go with the video; one that cannot be made now is made when it is first asked for.
        previews.makeQuietly(stored.key());
        // Making them takes a while: a step that started from an older snapshot of this job may have finished it
        // meanwhile, and its settlement stands (settling is idempotent, but needs no second call).
        long version = current.version();
        if (!store.find(job.id()).map(fresh -> fresh.version() == version).orElse(false)) {
            return;
        }
        // Idempotent per job: a crash between settling and completing settles again for the same amount.
        BigDecimal actual = ledger.settle(job.id(), job.tenant(), job.backend(), task(job), snapshot);
        Optional<Job> done = store.transition(current, JobPhase.COMPLETED, owner, now(),
                set -> set.result(stored.key(), stored.size(), stored.sha256()).progress(100).actualUsd(actual));
        done.ifPresent(finished -> {
            metrics.finished(finished.backend(), finished.model(), JobStatus.COMPLETED,
                    Duration.between(finished.createdAt(), now()));
            if (Backend.CLOUD.is(finished.backend())) {
                metrics.cloudCompleted(finished, now());
            }
        });
        log.info("job {} completed on {}/{}: {} bytes, cost {}", job.id(), job.backend(), job.model(), stored.size(),
                actual);
    }

    /** The backend has no such task: a local task died with its process and is resubmitted (free); a cloud one fails. */
    private void lost(Job job, String owner) {
        boolean free = properties.freeBackends().contains(job.backend())
                || backends.find(job.backend()).map(VideoBackend::resubmitsAtNoCost).orElse(false);
        if (free && job.attempts() <= properties.maxLocalResubmits()) {
            log.warn("job {}: local task {} is gone (restart?); resubmitting locally", job.id(), job.taskId());
            store.transition(job, JobPhase.QUEUED, owner, now(), set -> set.taskId(null).nextAttemptAt(now()));
        } else {
            fail(job, owner, "task_lost", "The backend no longer knows task " + job.taskId() + ".");
        }
    }

    private void fallBack(Job job, String owner, Predicate<String> servable, String reason, String detail) {
        fallBack(job, owner, servable, reason, detail, java.util.function.UnaryOperator.identity());
    }

    /** @param also what else changes in the stored route with the move (a hedge's outcome) */
    private void fallBack(Job job, String owner, Predicate<String> servable, String reason, String detail,
            java.util.function.UnaryOperator<JobRoute> also) {
        FallbackPolicy.Pick pick = fallback.reserveNext(job);
        List<RejectedCandidate> overBudget = pick.overBudget();
        if (pick.found()) {
            JobRoute.Candidate candidate = job.route().candidates().get(pick.index());
            JobRoute.Fallback step = new JobRoute.Fallback(job.backend(), job.model(), candidate.backend(),
                    candidate.model(), reason, detail, now().getEpochSecond());
            JobRoute route = also.apply(job.route().withFallback(step, overBudget));
            int index = pick.index();
            boolean keep = servable.test(candidate.backend());
            Optional<Job> moved = store.transition(job, JobPhase.QUEUED, owner, now(), set -> {
                set.backend(candidate.backend(), candidate.model(), index).route(route)
                        .estimateUsd(candidate.estimatedCostUsd()).taskId(null).nextAttemptAt(now());
                if (!keep) {
                    set.releaseLease();
                }
            });
            if (moved.isPresent()) {
                metrics.fallback(job.backend(), candidate.backend(), reason);
                log.info("job {} falls back from {}/{} to {}/{}: {}", job.id(), job.backend(), job.model(),
                        candidate.backend(), candidate.model(), reason);
            }
            return;
        }
        JobRoute route = overBudget.isEmpty() ? job.route() : job.route().withFallback(
                new JobRoute.Fallback(job.backend(), job.model(), null, null, reason, detail, now().getEpochSecond()),
                overBudget);
        Optional<Job> failed = store.transition(job, JobPhase.FAILED, owner, now(),
                set -> set.route(route).error("backend_unavailable",
                        "No backend could take the job; the last one said: " + detail));
        failed.ifPresent(done -> metrics.finished(done.backend(), done.model(), JobStatus.FAILED,
                Duration.between(done.createdAt(), now())));
    }

    /** Whether the job runs on its hedged local candidate and its hedge point has come. */
    private boolean hedgeDue(Job job) {
        return job.route().hedgePending(job.candidateIndex()) && !now().isBefore(job.route().hedge().point());
    }

    /**
     * Carries out a hedge: stops the local run, settles the GPU time it used to the ledger under the job's hedge
     * entry ({@link Hedging#entryId}, idempotent, so a step repeated after a crash bills it once), and moves the
     * job through the ordinary fallback to its rescue, which reserves and later settles the cloud's price.
     *
     * @param backend the local backend holding the run, or {@code null} when it was never submitted
     */
    private void hedgeToCloud(Job job, String owner, Predicate<String> servable, VideoBackend backend, String why) {
        if (backend != null && job.taskId() != null) {
            try {
                backend.cancel(job.taskId());
                TaskSnapshot stopped = backend.poll(job.taskId());
                if (stopped.gpuSeconds() != null && stopped.gpuSeconds().signum() > 0) {
                    TaskSnapshot used = new TaskSnapshot(stopped.taskId(), TaskSnapshot.State.CANCELED,
                            stopped.progress(), null, null, stopped.gpuSeconds(), "cancelled", why);
                    ledger.recordBilled(Hedging.entryId(job.id()), job.tenant(), job.backend(), task(job), used,
                            JobRoute.Hedge.HEDGED_TO_CLOUD);
                }
            } catch (BackendException e) {
                log.warn("job {}: stopping the local run at its hedge point failed ({}); trying again", job.id(),
                        e.getMessage());
                store.update(job, owner, now(), set -> set.nextAttemptAt(now().plus(properties.retryInterval())),
                        false);
                return;
            }
        }
        JobRoute.Hedge hedge = job.route().hedge();
        String detail = "Hedged at " + hedge.point() + ": " + why + " It moves to " + hedge.rescueBackend() + "/"
                + hedge.rescueModel() + ", which meets its deadline.";
        fallBack(job, owner, servable, JobRoute.Hedge.HEDGED_TO_CLOUD, detail,
                route -> route.withHedgeOutcome(JobRoute.Hedge.HEDGED_TO_CLOUD));
    }

    private static Instant deadlineOf(Job job) {
        return task(job).dueBy();
    }

    private void cancel(Job job, String owner) {
        String taskId = job.taskId();
        Optional<VideoBackend> backend = backends.find(job.backend());
        if (backend.isPresent()) {
            try {
                if (taskId == null && job.phase() != JobPhase.QUEUED) {
                    taskId = backend.get().reconcile(task(job), claims(job)).orElse(null);
                }
                if (taskId != null) {
                    backend.get().cancel(taskId);
                }
            } catch (BackendException e) {
                if (taskId != null && e.kind() == BackendException.Kind.INVALID_INPUT
                        && !properties.freeBackends().contains(job.backend())) {
                    // The provider refuses to stop a task that already runs: it finishes and is billed. The job is
                    // cancelled for the caller, its reservation stays held, and billing reconciliation settles the
                    // charge from the provider's record (cancelled_but_billed).
                    log.info("job {}: {} task {} already runs and cannot be stopped; cancelled, charge kept", job.id(),
                            job.backend(), taskId);
                    Optional<Job> done = store.transition(job, JobPhase.CANCELLED, owner, now(),
                            set -> set.error("cancelled_after_start", "Cancelled by the caller after the "
                                    + job.backend() + " task had started; the provider finishes and bills it, so the "
                                    + "charge is kept (" + e.getMessage() + ")."));
                    done.ifPresent(cancelled -> metrics.finished(cancelled.backend(), cancelled.model(),
                            JobStatus.CANCELLED, Duration.between(cancelled.createdAt(), now())));
                    return;
                }
                if (job.attempts() < 100 && (e.isRetryable() || e.kind() == BackendException.Kind.UNDECIDED)) {
                    log.info("job {}: cancel at {} failed ({}); retrying", job.id(), job.backend(), e.getMessage());
                    store.update(job, owner, now(), set -> set.attempts(job.attempts() + 1)
                            .nextAttemptAt(now().plus(properties.retryInterval())), false);
                    return;
                }
                log.warn("job {}: cancel at {} failed for good ({})", job.id(), job.backend(), e.getMessage());
            }
        }
        finishCancelled(job, owner, "Cancelled by the caller.");
    }

    private void finishCancelled(Job job, String owner, String message) {
        Optional<Job> done = store.transition(job, JobPhase.CANCELLED, owner, now(),
                set -> set.error("cancelled", message));
        done.ifPresent(cancelled -> {
            ledger.release(cancelled.id());
            metrics.finished(cancelled.backend(), cancelled.model(), JobStatus.CANCELLED,
                    Duration.between(cancelled.createdAt(), now()));
        });
    }

    private void fail(Job job, String owner, String code, String message) {
        Optional<Job> done = store.transition(job, JobPhase.FAILED, owner, now(), set -> set.error(code, message));
        done.ifPresent(failed -> {
            ledger.release(failed.id());
            metrics.finished(failed.backend(), failed.model(), JobStatus.FAILED,
                    Duration.between(failed.createdAt(), now()));
            log.info("job {} failed on {}: {} {}", job.id(), job.backend(), code, message);
        });
    }

    /**
     * For a backend that reports no progress (DashScope): the time since the job was accepted against the time
     * its route expects, which the router takes from the model's measured latency once there is enough of it
     * ({@code routing.CloudLatencyTracker}), else from the catalog. Held below 100 until the backend says done.
     */
    private int estimatedProgress(Job job) {
        Long expected = job.currentCandidate().estimatedSeconds();
        if (expected == null || expected <= 0) {
            return job.progress();
        }
        long elapsed = Math.max(0, Duration.between(job.createdAt(), now()).toMillis());
        return (int) Math.min(MAX_ESTIMATED_PROGRESS, elapsed * 100 / (expected * 1000));
    }

    /** Polls start at {@code pollMin} and grow by half each time up to {@code pollMax}. */
    Duration pollInterval(Job job) {
        double factor = Math.pow(1.5, Math.min(job.polls(), 30));
        long millis = (long) Math.min(properties.pollMax().toMillis(), properties.pollMin().toMillis() * factor);
        return Duration.ofMillis(Math.max(millis, properties.pollMin().toMillis()));
    }

    private static Duration retryDelay(BackendException e, Duration fallback) {
        return e.retryAfter() != null && e.retryAfter().compareTo(fallback) > 0 ? e.retryAfter() : fallback;
    }

    private static String reasonOf(BackendException e) {
        return switch (e.kind()) {
            case REFUSED -> "refused";
            case THROTTLED -> "throttled";
            default -> "unavailable";
        };
    }

    private static String errorCode(BackendException e) {
        if (e.code() != null && !e.code().isBlank()) {
            return e.code().length() > 64 ? e.code().substring(0, 64) : e.code();
        }
        return switch (e.kind()) {
            case INVALID_INPUT -> "invalid_input";
            case CONTENT_POLICY -> "content_policy_violation";
            case AUTH -> "backend_auth";
            default -> "backend_error";
        };
    }

    static BackendTask task(Job job) {
        java.time.Duration deadline = job.spec().routing() == null ? null : job.spec().routing().deadline();
        return new BackendTask(job.id(), job.model(), job.spec(),
                deadline == null || job.createdAt() == null ? null : job.createdAt().plus(deadline), job.submittedAt(),
                job.route() != null && job.route().hedgePending(job.candidateIndex()) ? job.route().hedge().point()
                        : null,
                job.route() == null ? null : job.route().preemptsTask(job.candidateIndex()));
    }

    private Instant now() {
        return clock.instant();
    }
}
