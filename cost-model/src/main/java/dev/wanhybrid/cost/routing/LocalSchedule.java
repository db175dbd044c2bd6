package dev.wanhybrid.cost.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The local fleet's plan: jobs running on each GPU, and jobs waiting in a deadline-ordered queue (earliest
 * deadline first, then arrival). Admission simulates the plan with every job's pessimistic service time to check
 * that a newcomer and every job already admitted still finish by their deadlines.
 *
 * <p>Times are seconds on any one clock the caller keeps (the replay: seconds since its first day; the gateway:
 * epoch seconds). Not thread-safe: the caller that owns the plan serialises access.
 */
public final class LocalSchedule {

    /**
     * One admitted job.
     *
     * @param id the caller's id, unique in this plan; breaks ties between equal deadlines (lower first)
     * @param due when it must be finished
     * @param time its service time
     * @param hedgeAt for a hedged job, when it moves to the cloud if by then it cannot finish by {@code due} (its
     *     deadline minus the cloud's latency); {@code NaN} for a job that runs here whatever happens
     */
    public record Job(long id, double due, ServiceTime time, double hedgeAt) {

        public Job(long id, double due, ServiceTime time) {
            this(id, due, time, Double.NaN);
        }

        /** Whether the job leaves for the cloud at {@link #hedgeAt} when it would finish late here. */
        public boolean hedged() {
            return !Double.isNaN(hedgeAt);
        }
    }

    private static final Comparator<Job> EDF = (a, b) -> deadlineOrder(a.due(), a.id(), b.due(), b.id());

    /**
     * The plan's queue order, for any queue that must agree with it (the gateway's local backend): earliest
     * deadline first ({@code +Infinity} for none, last), then the lower id (earlier arrival).
     *
     * @return negative when job a runs first, positive when b does, 0 for the same job
     */
    public static int deadlineOrder(double dueA, long idA, double dueB, long idB) {
        int byDue = Double.compare(dueA, dueB);
        return byDue != 0 ? byDue : Long.compare(idA, idB);
    }

    private final Job[] running;
    private final double[] startedAt;
    /** Per GPU: the share of its run's work still to do, as last reported ({@link #reportProgress}); NaN if never. */
    private final double[] workLeft;
    /** Per GPU: the resume overhead in its run's service time (0 for a run from the start). */
    private final double[] overheadIn;
    /**
     * Per GPU: when a suspension asked for takes effect, at its run's next step boundary ({@link #suspend}); NaN when
     * none is pending. Until then the run goes on and the GPU stays busy.
     */
    private final double[] suspendsAt;
    /** Per GPU with a suspension pending: what is left of its run, already queued to resume. */
    private final Job[] pendingRest;
    /** Suspended jobs waiting to resume: the resume overhead their queued service time includes. */
    private final java.util.Map<Long, Double> resumeOverhead = new java.util.HashMap<>();
    private final EdfQueue queued = new EdfQueue();
    private double queuedPessimistic;

    public LocalSchedule(int gpus) {
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative, was " + gpus);
        }
        this.running = new Job[gpus];
        this.startedAt = new double[gpus];
        this.workLeft = new double[gpus];
        this.overheadIn = new double[gpus];
        this.suspendsAt = new double[gpus];
        this.pendingRest = new Job[gpus];
        java.util.Arrays.fill(workLeft, Double.NaN);
        java.util.Arrays.fill(suspendsAt, Double.NaN);
    }

    public int gpus() {
        return running.length;
    }

    public int queued() {
        return queued.size();
    }

    public int running() {
        int n = 0;
        for (Job j : running) {
            if (j != null) {
                n++;
            }
        }
        return n;
    }

    /** The queue, earliest deadline first. */
    public List<Job> queuedJobs() {
        return queued.toList();
    }

    /** The job on each GPU, empty where the GPU is idle. */
    public List<Optional<Job>> runningJobs() {
        List<Optional<Job>> out = new ArrayList<>(running.length);
        for (Job j : running) {
            out.add(Optional.ofNullable(j));
        }
        return Collections.unmodifiableList(out);
    }

    /** Adds an admitted job to the queue; {@link #startNext} hands it to a GPU. */
    public void enqueue(Job job) {
        if (!queued.add(job)) {
            throw new IllegalArgumentException("job " + job.id() + " is already queued");
        }
        queuedPessimistic += job.time().pessimisticSeconds();
    }

    /** Records a job that is already running on {@code gpu} since {@code start} (for a plan built from outside). */
    public void putRunning(int gpu, Job job, double start) {
        clearPending(gpu);
        running[gpu] = job;
        startedAt[gpu] = start;
        workLeft[gpu] = Double.NaN;
        overheadIn[gpu] = 0;
    }

    /** An idle GPU, if any. */
    public int idleGpu() {
        for (int g = 0; g < running.length; g++) {
            if (running[g] == null) {
                return g;
            }
        }
        return -1;
    }

    /**
     * Starts the queue's head on {@code gpu}, which must be idle; empty when nothing waits. A head that is what is
     * left of a run whose suspension is still pending (its step boundary not reached) is not started here: that
     * suspension is cancelled instead, the run keeps its GPU, and the next head starts.
     */
    public Optional<Job> startNext(int gpu, double now) {
        if (running[gpu] != null) {
            throw new IllegalStateException("GPU " + gpu + " is busy with job " + running[gpu].id());
        }
        Job next;
        while (true) {
            next = queued.pollFirst();
            if (next == null) {
                return Optional.empty();
            }
            int draining = pendingGpuOf(next);
            if (draining < 0) {
                break;
            }
            queued.add(next); // cancelSuspension removes it again, with its bookkeeping
            cancelSuspension(draining);
        }
        queuedPessimistic -= next.time().pessimisticSeconds();
        running[gpu] = next;
        startedAt[gpu] = now;
        workLeft[gpu] = Double.NaN;
        Double overhead = resumeOverhead.remove(next.id());
        overheadIn[gpu] = overhead == null ? 0 : overhead;
        return Optional.of(next);
    }

    /**
     * The job on {@code gpu} has finished (or failed); the GPU is idle. A suspension still pending for it is void:
     * what was queued of it to resume is removed.
     */
    public Job finish(int gpu) {
        if (pendingRest[gpu] != null) {
            remove(pendingRest[gpu]);
        }
        clearPending(gpu);
        Job done = running[gpu];
        running[gpu] = null;
        workLeft[gpu] = Double.NaN;
        overheadIn[gpu] = 0;
        return done;
    }

    /** When the run now on {@code gpu} started (a resumed job: when it resumed); meaningless while the GPU is idle. */
    public double startedAt(int gpu) {
        return startedAt[gpu];
    }

    /**
     * Records how much of the run on {@code gpu} is still to do: the share of its work (its steps, say), from 1 at
     * its start to 0 at its end, not counting a resume's overhead. What {@link #suspend} plans the rest on.
     */
    public void reportProgress(int gpu, double workLeftShare) {
        if (!(workLeftShare >= 0 && workLeftShare <= 1)) {
            throw new IllegalArgumentException("work left must be a share in [0, 1], was " + workLeftShare);
        }
        workLeft[gpu] = workLeftShare;
    }

    /**
     * The share of the run on {@code gpu}'s work still to do at {@code now}: as last reported, or else estimated
     * from its time so far on its expected time (past its overhead, if resumed).
     */
    public double workLeft(int gpu, double now) {
        if (!Double.isNaN(workLeft[gpu])) {
            return workLeft[gpu];
        }
        Job j = running[gpu];
        if (j == null) {
            return 0;
        }
        double work = j.time().expectedSeconds() - overheadIn[gpu];
        double done = Math.max(0, now - startedAt[gpu] - overheadIn[gpu]);
        return work <= 0 ? 0 : Math.max(0, 1 - done / work);
    }

    /**
     * Seconds from {@code now} to the next step boundary of the run on {@code gpu}: a diffusion engine can suspend a
     * run only there (it finishes the step in progress, then saves the latent). 0 when the run's steps are not known
     * ({@link ServiceTime#steps()} 0: the suspension takes effect at once), or the GPU is idle. A resumed run still in
     * its resume overhead reaches its first boundary when the overhead ends. The step in progress is what is left of
     * the run's steps ({@link #workLeft} times its steps) above the whole steps; its length is the run's measured
     * time per step so far (steps take equal time). Before any progress is known (work left 1), the first step is in
     * progress and takes the run's pessimistic time per step from its start.
     */
    public double toStepBoundary(int gpu, double now) {
        Job j = running[gpu];
        if (j == null || j.time().steps() == 0) {
            return 0;
        }
        if (suspending(gpu)) {
            return Math.max(0, suspendsAt[gpu] - now);
        }
        double into = now - startedAt[gpu] - overheadIn[gpu];
        if (into < 0) {
            return -into;
        }
        int steps = j.time().steps();
        double left = workLeft(gpu, now);
        if (left >= 1) {
            // No progress known yet: the first step is in progress, taken at its pessimistic time.
            return into == 0 ? 0 : Math.max(0, (j.time().pessimisticSeconds() - overheadIn[gpu]) / steps - into);
        }
        double stepsLeft = left * steps;
        double inProgress = stepsLeft - wholeStepsLeft(stepsLeft);
        if (inProgress <= 0) {
            return 0;
        }
        return inProgress * into / ((1 - left) * steps);
    }

    /** Steps left after the step in progress: the whole steps of {@code stepsLeft}, a rounding error forgiven. */
    private static int wholeStepsLeft(double stepsLeft) {
        return (int) Math.floor(stepsLeft + 1e-6);
    }

    /**
     * The job on {@code gpu} as it would join the queue again if suspended at {@code now} (its latent kept, to resume
     * later): same id and deadline, its service time what is left of its work at its next step boundary
     * ({@link #toStepBoundary}: the whole steps left of {@link #workLeft}, or the share left now when its steps are
     * not known) plus {@code overhead} seconds to suspend and resume it, on expected and pessimistic times alike; its
     * steps, those left. {@code null} when the GPU is idle. The plan is not changed.
     */
    public Job remainderIfSuspended(int gpu, double now, double overhead) {
        Job j = running[gpu];
        if (j == null) {
            return null;
        }
        double left = workLeft(gpu, now);
        int steps = j.time().steps();
        int stepsLeft = 0;
        if (steps > 0) {
            double into = now - startedAt[gpu] - overheadIn[gpu];
            stepsLeft = into <= 0 ? steps
                    : left >= 1 ? steps - 1 // the first step, in progress, is done by the boundary
                    : Math.min(steps, wholeStepsLeft(left * steps));
            left = (double) stepsLeft / steps;
        }
        double expected = left * (j.time().expectedSeconds() - overheadIn[gpu]) + overhead;
        double pessimistic = left * (j.time().pessimisticSeconds() - overheadIn[gpu]) + overhead;
        expected = Math.max(expected, 1e-3);
        return new Job(j.id(), j.due(), new ServiceTime(expected, Math.max(expected, pessimistic), stepsLeft),
                j.hedgeAt());
    }

    /**
     * Suspends the job on {@code gpu}, asked at {@code now}, and puts what is left of it back in the queue, in
     * deadline order ({@link #remainderIfSuspended}). The suspension takes effect at the run's next step boundary
     * ({@link #toStepBoundary}): until then the run goes on and the GPU stays busy ({@link #suspending},
     * {@link #suspendsAt}); the one running the plan calls {@link #suspended} then. With no boundary to wait for, the
     * GPU is idle at once. Returns the queued remainder, or {@code null} when the GPU was idle.
     */
    public Job suspend(int gpu, double now, double overhead) {
        Job rest = drain(gpu, now, overhead);
        if (rest != null) {
            enqueue(rest);
        }
        return rest;
    }

    /**
     * As {@link #suspend}, without queueing the remainder: the caller enqueues it (after asking whether the plan
     * admits it, say).
     */
    public Job drain(int gpu, double now, double overhead) {
        if (suspending(gpu)) {
            throw new IllegalStateException("GPU " + gpu + " is already suspending job " + running[gpu].id());
        }
        Job rest = remainderIfSuspended(gpu, now, overhead);
        if (rest == null) {
            return null;
        }
        double wait = toStepBoundary(gpu, now);
        resumeOverhead.put(rest.id(), overhead);
        if (wait > 0) {
            suspendsAt[gpu] = now + wait;
            pendingRest[gpu] = rest;
        } else {
            finish(gpu);
        }
        return rest;
    }

    /** Whether a suspension of the run on {@code gpu} is pending: asked, its step boundary not reached yet. */
    public boolean suspending(int gpu) {
        return !Double.isNaN(suspendsAt[gpu]);
    }

    /** When the pending suspension on {@code gpu} takes effect; NaN when none is pending. */
    public double suspendsAt(int gpu) {
        return suspendsAt[gpu];
    }

    /** The run on {@code gpu} has reached the step boundary its suspension waited for: the GPU is idle. */
    public void suspended(int gpu) {
        if (!suspending(gpu)) {
            throw new IllegalStateException("no suspension pending on GPU " + gpu);
        }
        clearPending(gpu);
        running[gpu] = null;
        workLeft[gpu] = Double.NaN;
        overheadIn[gpu] = 0;
    }

    /** Cancels the suspension pending on {@code gpu}: what was queued of its run is removed, and the run goes on. */
    private void cancelSuspension(int gpu) {
        if (pendingRest[gpu] != null) {
            remove(pendingRest[gpu]);
        }
        clearPending(gpu);
    }

    private void clearPending(int gpu) {
        suspendsAt[gpu] = Double.NaN;
        pendingRest[gpu] = null;
    }

    /** The GPU whose pending suspension queued {@code job}, or -1. */
    private int pendingGpuOf(Job job) {
        for (int g = 0; g < pendingRest.length; g++) {
            if (pendingRest[g] != null && pendingRest[g].id() == job.id()) {
                return g;
            }
        }
        return -1;
    }

    /** An independent copy of this plan, to try a change on (a suspension, say) without touching the plan. */
    public LocalSchedule copy() {
        LocalSchedule c = new LocalSchedule(running.length);
        System.arraycopy(running, 0, c.running, 0, running.length);
        System.arraycopy(startedAt, 0, c.startedAt, 0, startedAt.length);
        System.arraycopy(workLeft, 0, c.workLeft, 0, workLeft.length);
        System.arraycopy(overheadIn, 0, c.overheadIn, 0, overheadIn.length);
        System.arraycopy(suspendsAt, 0, c.suspendsAt, 0, suspendsAt.length);
        System.arraycopy(pendingRest, 0, c.pendingRest, 0, pendingRest.length);
        c.resumeOverhead.putAll(resumeOverhead);
        c.queued.copyOf(queued);
        c.queuedPessimistic = queuedPessimistic;
        return c;
    }

    /** Removes a queued job that will not run here after all (cancelled, or moved elsewhere). */
    public boolean remove(Job job) {
        boolean removed = queued.remove(job);
        if (removed) {
            queuedPessimistic -= job.time().pessimisticSeconds();
            resumeOverhead.remove(job.id());
        }
        return removed;
    }

    /**
     * When the GPU now busy with job {@code gpu} is planned to be free: its start plus its pessimistic time, and
     * for a run already past that, a little after now (it may end any moment, and nothing better is known).
     */
    private double plannedFree(int gpu, double now) {
        return plannedFree(gpu, now, true);
    }

    /** As {@link #plannedFree(int, double)}, the running job's end taken on {@code pessimistic} or expected time. */
    private double plannedFree(int gpu, double now, boolean pessimistic) {
        Job j = running[gpu];
        if (j == null) {
            return now;
        }
        if (suspending(gpu)) {
            return Math.max(suspendsAt[gpu], now);
        }
        double end = startedAt[gpu] + occupancy(j, startedAt[gpu], pessimistic);
        return end > now ? end : now + 0.1 * j.time().expectedSeconds();
    }

    /** Pessimistic GPU-seconds still to do, running and queued. */
    public double backlogSeconds(double now) {
        double sum = queuedPessimistic;
        for (int g = 0; g < running.length; g++) {
            if (running[g] != null) {
                sum += plannedFree(g, now) - now;
            }
        }
        return sum;
    }

    /**
     * GPU-seconds the plan must spend before {@code now + horizon}: what is left of the running jobs inside it, and
     * the queued jobs that must start inside it to meet their deadlines. Queued work with slack beyond the horizon
     * can wait for a quieter hour, so it does not count.
     */
    public double committedWithin(double now, double horizon) {
        double end = now + horizon;
        double sum = 0;
        for (int g = 0; g < running.length; g++) {
            if (running[g] != null) {
                sum += Math.min(plannedFree(g, now), end) - now;
            }
        }
        for (int k = 0; k < queued.size(); k++) {
            Job j = queued.get(k);
            if (j.due() - j.time().pessimisticSeconds() <= end) {
                sum += Math.min(j.time().pessimisticSeconds(), horizon);
            }
        }
        return sum;
    }

    /**
     * What {@link #committedWithin} would answer after {@link #drain}{@code (gpu, now, overhead)} and
     * {@link #enqueue}{@code (rest)}, where {@code rest} is {@link #remainderIfSuspended}: the run on {@code gpu}
     * counted up to its next step boundary and its rest as a queued job. Without copying the plan (a suspension tried
     * for each GPU would copy it each time). {@code committed} is this plan's own
     * {@link #committedWithin}{@code (now, horizon)}, taken once for every GPU tried on one horizon: constant time.
     */
    public double committedWithinIfSuspended(int gpu, Job rest, double now, double horizon, double committed) {
        double end = now + horizon;
        double sum = committed;
        sum -= Math.min(plannedFree(gpu, now), end) - now;
        sum += Math.min(now + toStepBoundary(gpu, now), end) - now;
        if (rest.due() - rest.time().pessimisticSeconds() <= end) {
            sum += Math.min(rest.time().pessimisticSeconds(), horizon);
        }
        return sum;
    }

    /**
     * Whether {@code candidate} can join the plan: simulating the queue in deadline order on the GPUs as they free
     * up, with pessimistic service times, the candidate finishes by its deadline and no admitted job that would
     * have finished in time without it is pushed past its own.
     */
    public boolean admits(Job candidate, double now) {
        return plannedFinish(candidate, now, true) <= candidate.due();
    }

    /**
     * The candidate's planned finish in the simulated plan with {@code pessimistic} or expected service times;
     * {@code +Infinity} when it would push an admitted job past its deadline that meets it without the candidate.
     *
     * <p>A hedged candidate's own finish is planned on expected times throughout, its start included: the runs
     * ahead of it end, and the jobs queued ahead of it take, what they are expected to. Should they run long, it
     * starts late, and its hedge point sends it to the cloud in time, as it does when the candidate itself runs
     * long. Whether it pushes an admitted job late is still asked on {@code pessimistic} times, the candidate placed
     * where those times put it and holding its GPU until its deadline at the most.
     */
    public double plannedFinish(Job candidate, double now, boolean pessimistic) {
        if (running.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        // A hedged candidate's own finish on expected times; NaN for any other, whose finish is the pass's own.
        double expectedFinish = candidate.hedged() && pessimistic
                ? startOnExpectedTimes(candidate, now) + candidate.time().expectedSeconds() : Double.NaN;
        if (expectedFinish > candidate.due()) {
            return expectedFinish;
        }
        boolean ownOnExpected = !Double.isNaN(expectedFinish);
        // One pass without the candidate first. Placing a job that holds a GPU for d in a list schedule delays every
        // later job by at most d (the sorted free times with it never exceed those without it plus d), so when every
        // later job that is in time has at least d of slack, nobody is pushed late and the exact pass is not needed.
        double own = ownDuration(candidate, pessimistic);
        double[] base = freeTimes(now);
        double start = Double.NaN;
        double held = Double.NaN;
        double leastSlack = Double.POSITIVE_INFINITY;
        for (int k = 0; k < queued.size(); k++) {
            Job j = queued.get(k);
            if (Double.isNaN(start) && EDF.compare(candidate, j) < 0) {
                start = base[0];
                if (!ownOnExpected && start + own > candidate.due()) {
                    return start + own;
                }
                held = occupancy(candidate, start, pessimistic);
            }
            double finish = place(base, j, pessimistic);
            if (!Double.isNaN(start) && finish <= j.due()) {
                leastSlack = Math.min(leastSlack, j.due() - finish);
            }
        }
        if (Double.isNaN(start)) {
            return ownOnExpected ? expectedFinish : base[0] + own; // last in the queue: it delays nobody
        }
        if (leastSlack >= held) {
            return ownOnExpected ? expectedFinish : start + own;
        }
        double[] free = freeTimes(now);
        double[] without = null; // the plan without the candidate, from the candidate's place on
        double candidateFinish = Double.NaN;
        for (int k = 0; k < queued.size(); k++) {
            Job j = queued.get(k);
            if (without == null && EDF.compare(candidate, j) < 0) {
                without = free.clone();
                candidateFinish = free[0] + own;
                if (!ownOnExpected && candidateFinish > candidate.due()) {
                    return candidateFinish; // late itself: no need to look further
                }
                place(free, candidate, pessimistic);
            }
            double finish = place(free, j, pessimistic);
            if (without != null && place(without, j, pessimistic) <= j.due() && finish > j.due()) {
                return Double.POSITIVE_INFINITY;
            }
        }
        if (without == null) {
            candidateFinish = free[0] + own;
        }
        return ownOnExpected ? expectedFinish : candidateFinish;
    }

    /**
     * When the candidate would start with every time as expected: the runs' expected ends, then the jobs queued
     * ahead of it (deadline order) at their expected times. The start a hedged candidate is admitted on; the
     * gateway's router estimates a local option's wait with it too, so that its deadline filter and the admission
     * agree. ({@link #plannedStart} takes the runs' pessimistic ends.)
     */
    public double startOnExpectedTimes(Job candidate, double now) {
        if (running.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double[] free = new double[running.length];
        for (int g = 0; g < running.length; g++) {
            free[g] = plannedFree(g, now, false);
        }
        java.util.Arrays.sort(free); // a sorted array is a valid min-heap
        return startBehindQueue(candidate, free);
    }

    /**
     * When a job that joins the queue now with this deadline would start, on expected times: the GPU that frees
     * first once the jobs due before it have been placed. Whether it would push a later job past its deadline is
     * {@link #admits}'s question, not this one's; this pass stops at the job's place in the queue.
     */
    public double plannedStart(Job candidate, double now) {
        if (running.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return startBehindQueue(candidate, freeTimes(now));
    }

    /** The first of {@code free} once the jobs queued ahead of the candidate have taken their expected times. */
    private double startBehindQueue(Job candidate, double[] free) {
        for (int k = 0; k < queued.size(); k++) {
            Job j = queued.get(k);
            if (EDF.compare(candidate, j) < 0) {
                break;
            }
            assign(free, j.time().expectedSeconds());
        }
        return free[0];
    }

    private static double duration(Job j, boolean pessimistic) {
        return pessimistic ? j.time().pessimisticSeconds() : j.time().expectedSeconds();
    }

    /**
     * How long the job itself is planned to take, for its own deadline: a hedged job is admitted on its expected
     * time (should it run long, it leaves for the cloud in time), any other with the time asked for.
     */
    private static double ownDuration(Job j, boolean pessimistic) {
        return j.hedged() ? j.time().expectedSeconds() : duration(j, pessimistic);
    }

    /**
     * How long the job holds its GPU when it starts at {@code start}, for the jobs behind it: its time, except that
     * a hedged job holds it no later than its deadline (by then it has finished or left for the cloud).
     */
    private static double occupancy(Job j, double start, boolean pessimistic) {
        double d = duration(j, pessimistic);
        return j.hedged() ? Math.max(j.time().expectedSeconds(), Math.min(d, j.due() - start)) : d;
    }

    /** Puts the job on the GPU that frees first; returns when that GPU is free again. */
    private static double place(double[] heap, Job j, boolean pessimistic) {
        return assign(heap, occupancy(j, heap[0], pessimistic));
    }

    private double[] freeTimes(double now) {
        double[] heap = new double[running.length];
        for (int g = 0; g < running.length; g++) {
            heap[g] = plannedFree(g, now);
        }
        java.util.Arrays.sort(heap); // a sorted array is a valid min-heap
        return heap;
    }

    /** Puts {@code work} on the GPU that frees first; returns its finish. The array is a binary min-heap. */
    private static double assign(double[] heap, double work) {
        double finish = heap[0] + work;
        int i = 0;
        int n = heap.length;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                break;
            }
            int c = l + 1 < n && heap[l + 1] < heap[l] ? l + 1 : l;
            if (heap[c] >= finish) {
                break;
            }
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = finish;
        return finish;
    }

    /**
     * The queue in deadline order ({@link #EDF}), as a sorted array: the plan walks it on every admission and copies
     * it for every trial, and an array walks and copies several times faster than a tree. Set semantics as a
     * {@code TreeSet} with the same comparator: a job comparing equal to a queued one is not added twice.
     */
    private static final class EdfQueue {
        private Job[] jobs = new Job[16];
        private int head;
        private int size;

        int size() {
            return size;
        }

        Job get(int k) {
            return jobs[head + k];
        }

        /** Where {@code job} is ({@code >= 0}) or would go ({@code -(index) - 1}), relative to the head. */
        private int search(Job job) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = EDF.compare(jobs[head + mid], job);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        boolean add(Job job) {
            int at = search(job);
            if (at >= 0) {
                return false;
            }
            at = -at - 1;
            if (head + size == jobs.length) {
                Job[] bigger = size + 1 > jobs.length / 2 ? new Job[jobs.length * 2] : jobs;
                System.arraycopy(jobs, head, bigger, 0, size);
                if (bigger == jobs) {
                    java.util.Arrays.fill(jobs, size, head + size, null);
                }
                jobs = bigger;
                head = 0;
            }
            System.arraycopy(jobs, head + at, jobs, head + at + 1, size - at);
            jobs[head + at] = job;
            size++;
            return true;
        }

        Job pollFirst() {
            if (size == 0) {
                return null;
            }
            Job first = jobs[head];
            jobs[head++] = null;
            if (--size == 0) {
                head = 0;
            }
            return first;
        }

        boolean remove(Job job) {
            int at = search(job);
            if (at < 0) {
                return false;
            }
            System.arraycopy(jobs, head + at + 1, jobs, head + at, size - at - 1);
            jobs[head + --size] = null;
            return true;
        }

        void copyOf(EdfQueue other) {
            jobs = java.util.Arrays.copyOfRange(other.jobs, other.head, other.head + Math.max(16, other.size));
            head = 0;
            size = other.size;
        }

        List<Job> toList() {
            return List.of(java.util.Arrays.copyOfRange(jobs, head, head + size));
        }
    }
}
