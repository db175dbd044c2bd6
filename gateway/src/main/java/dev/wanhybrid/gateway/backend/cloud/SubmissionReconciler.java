package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.DashScopeException;
import dev.wanhybrid.cloud.ListedTask;
import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.tracking.RatePacer;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which DashScope task, if any, a submission whose answer was lost created, from the provider's own
 * records: the task list around the submission time (same model, not yet bound to any job) and each candidate's
 * details ({@code orig_prompt}, billed duration).
 *
 * <p>A candidate matches when its details show the job's prompt and duration. Among several matches the one created
 * closest to the submission is taken: tasks with the same model, prompt and duration are the same purchase, so
 * whichever job binds which, every billed task ends up bound to exactly one job. While unbound candidates are still
 * pending or running their details are not known yet, and the answer is {@link Decision#undecided}: the caller asks
 * again later, and that is no backend failure. Only when no unbound candidate is in progress and the submission is
 * older than {@code reconcileAfter} (so it can no longer arrive) is the answer "never created".
 *
 * <p>Details of finished tasks never change, so they are cached (bounded); the list and queries are paced by the
 * account's query limiter.
 */
final class SubmissionReconciler {

    static final Duration LIST_WINDOW_BEFORE = Duration.ofMinutes(1);
    static final Duration LIST_WINDOW_AFTER = Duration.ofMinutes(5);
    /** How far back DashScope's task list and queries reach. */
    static final Duration QUERYABLE = Duration.ofHours(24);
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 20;
    private static final int CACHED_DETAILS = 10_000;

    private final RatePacer queryLimiter;
    private final Duration queryWait;
    private final Duration reconcileAfter;
    private final Map<String, TaskView> finishedDetails = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskView> eldest) {
            return size() > CACHED_DETAILS;
        }
    };

    SubmissionReconciler(RatePacer queryLimiter, Duration queryWait, Duration reconcileAfter) {
        this.queryLimiter = queryLimiter;
        this.queryWait = queryWait;
        this.reconcileAfter = reconcileAfter;
    }

    /** The outcome: a task, certainly none, or not decidable yet (with how many candidates are still running). */
    record Decision(Optional<String> taskId, boolean neverCreated, int inProgress, String reason) {

        static Decision found(String taskId) {
            return new Decision(Optional.of(taskId), false, 0, null);
        }

        static Decision none() {
            return new Decision(Optional.empty(), true, 0, null);
        }

        static Decision undecided(int inProgress, String reason) {
            return new Decision(Optional.empty(), false, inProgress, reason);
        }
    }

    /**
     * @param submittedAt when the submission started, or {@code null} when unknown (a job from before submission
     *     times were recorded): then the whole queryable day is searched
     * @param bound tells which listed task ids are already bound to a job (this process's and the job store's)
     */
    Decision decide(DashScopeClient dashscope, String wireModel, VideoRequest request, Instant submittedAt,
            Instant now, Function<Collection<String>, Set<String>> bound)
            throws BackendException {
        Instant anchor = submittedAt != null ? submittedAt : now.minus(QUERYABLE);
        List<ListedTask> listed = submittedAt != null
                ? list(dashscope, wireModel, submittedAt.minus(LIST_WINDOW_BEFORE), submittedAt.plus(LIST_WINDOW_AFTER))
                : list(dashscope, wireModel, anchor, now.plusSeconds(1));
        Set<String> taken = bound.apply(listed.stream().map(ListedTask::taskId).toList());
        List<ListedTask> unbound = listed.stream().filter(t -> !taken.contains(t.taskId()))
                .sorted(Comparator.comparing((ListedTask t) -> distance(t, anchor)))
                .toList();
        int inProgress = 0;
        for (ListedTask candidate : unbound) {
            TaskStatus status = candidate.status();
            if (status == TaskStatus.PENDING || status == TaskStatus.RUNNING || status == TaskStatus.SUSPENDED) {
                inProgress++;
                continue;
            }
            if (status != TaskStatus.SUCCEEDED && status != TaskStatus.UNKNOWN) {
                continue; // failed or cancelled: not billed, and its job (if any) resubmits for free
            }
            TaskView details = details(dashscope, candidate.taskId());
            if (details.status() != TaskStatus.SUCCEEDED) {
                if (!details.status().isTerminal() && details.status() != TaskStatus.UNKNOWN) {
                    inProgress++;
                }
                continue;
            }
            if (matches(details, request)) {
                return Decision.found(candidate.taskId());
            }
        }
        if (inProgress > 0) {
            return Decision.undecided(inProgress, inProgress + " unbound " + wireModel
                    + " task(s) near the submission are still running; their details will tell");
        }
        if (Duration.between(anchor, now).compareTo(reconcileAfter) >= 0) {
            return Decision.none();
        }
        return Decision.undecided(0, "no matching task listed yet; the submission is younger than " + reconcileAfter);
    }

    /** Same prompt as sent and, where the task reports it, the same billed duration. */
    static boolean matches(TaskView details, VideoRequest request) {
        if (details.origPrompt() == null || !details.origPrompt().equals(request.prompt())) {
            return false;
        }
        if (details.usage() != null && details.usage().billedSeconds() != null && request.duration() != null) {
            return details.usage().billedSeconds().intValue() == request.duration();
        }
        return true;
    }

    private static Duration distance(ListedTask task, Instant submittedAt) {
        return task.createdAt() == null ? Duration.ofDays(1) : Duration.between(submittedAt, task.createdAt()).abs();
    }

    /** Every listed task of {@code wireModel} (every model when {@code null}) created in {@code [from, to)}. */
    List<ListedTask> list(DashScopeClient dashscope, String wireModel, Instant from, Instant to)
            throws BackendException {
        List<ListedTask> all = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            pace();
            List<ListedTask> one;
            try {
                one = dashscope.list(from, to, wireModel, page, PAGE_SIZE);
            } catch (DashScopeException e) {
                throw CloudBackend.translate(e);
            }
            all.addAll(one);
            if (one.size() < PAGE_SIZE) {
                break;
            }
        }
        return all;
    }

    /** A task's details; a finished task's are cached, since they never change. */
    TaskView details(DashScopeClient dashscope, String taskId) throws BackendException {
        synchronized (finishedDetails) {
            TaskView cached = finishedDetails.get(taskId);
            if (cached != null) {
                return cached;
            }
        }
        pace();
        TaskView view;
        try {
            view = dashscope.query(taskId);
        } catch (DashScopeException e) {
            throw CloudBackend.translate(e);
        }
        if (view.status().isTerminal()) {
            synchronized (finishedDetails) {
                finishedDetails.put(taskId, view);
            }
        }
        return view;
    }

    private void pace() throws BackendException {
        boolean acquired;
        try {
            acquired = queryLimiter.tryAcquire(queryWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(Kind.UNDECIDED, "Interrupted", "interrupted while reconciling", null, e);
        }
        if (!acquired) {
            throw new BackendException(Kind.UNDECIDED, "LocalQueryRate", "the account's query rate is in use; "
                    + "reconciliation asks again later", queryLimiter.untilFree(), null);
        }
    }
}
