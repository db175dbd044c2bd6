package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.GpuFleet;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * A lower bound on the cost of any assignment of the trace to the fleet and the cloud that knows the whole
 * trace in advance, including how long each local run really takes (the run times the replay charges), and never
 * runs a job locally past its deadline: no policy, online or offline, can do better. Beside it, the highest
 * deadline hit rate any schedule could reach.
 *
 * <p>Why it is a bound: the real problem (each job either on one GPU without interruption inside its window, or
 * on the cloud) is relaxed three ways: a job may be split between cloud and local in any fraction, local work
 * may be interrupted and resumed, and the fleet is treated as one machine of speed N (dropping the rule that
 * one job uses one GPU at a time). Each relaxation only adds schedules, so the relaxed optimum is at most the
 * real one. Jobs whose local run cannot fit inside their own window even alone are kept on the cloud, as in
 * every real schedule.
 *
 * <p>Why it is exact for the relaxation: the vectors of GPU-seconds that can be given to the jobs inside their
 * windows form a polymatroid (the supplies a flow network can route, with rank f(S) = the most work of jobs S
 * the fleet can do). The relaxation maximises a non-negative linear function over it (saving per GPU-second
 * times GPU-seconds), which the greedy algorithm solves exactly (Edmonds, 1970): take jobs in order of saving per
 * GPU-second, each class getting f(classes so far) - f(classes before). On one machine with preemption, f(S) is
 * what earliest-deadline-first achieves (an exchange argument: swapping to the earlier deadline never loses
 * work), so each f is one EDF pass, O(n log n).
 */
public final class OfflineBound {

    /**
     * @param totalCost fleet fixed cost plus the bound on cloud spend and local marginal cost
     * @param variableCost the bound on cloud spend plus local marginal cost
     * @param fleetFixed the fleet's fixed cost over the trace
     * @param gpuBusySeconds the GPU-seconds the bound uses
     * @param gpuAvailableSeconds GPU-seconds the fleet had
     * @param localEligible jobs the fleet could make inside their windows
     * @param jobs jobs in the trace
     * @param maxHits an upper bound on the jobs any schedule finishes by their deadlines: every job the cloud
     *     finishes in time, plus the most jobs only the fleet can finish in time that the same relaxation fits
     */
    public record Result(Money totalCost, Money variableCost, Money fleetFixed, double gpuBusySeconds,
            double gpuAvailableSeconds, int localEligible, int jobs, int maxHits) {
        public double gpuUtilization() {
            return gpuAvailableSeconds == 0 ? 0 : gpuBusySeconds / gpuAvailableSeconds;
        }

        /** The highest deadline hit rate any schedule could reach, as a fraction, rounded as {@link ReplayOutcome#deadlineHitRate()}. */
        public BigDecimal maxHitRate() {
            return jobs == 0 ? BigDecimal.ONE
                    : BigDecimal.valueOf(maxHits).divide(BigDecimal.valueOf(jobs), 4, RoundingMode.HALF_EVEN);
        }
    }

    /** What the bound relaxes, for reports. */
    public static final String RELAXES = "a job may be split between cloud and fleet, local work may be interrupted "
            + "and resumed, and the fleet works as one machine N times as fast; it knows every arrival and every real "
            + "run time in advance. The hit rate bound counts every job the cloud finishes in time plus the most "
            + "local-only jobs the same relaxation fits (shortest first).";

    /**
     * What the bound for routers that keep their margin ({@link #computeWithinMargin}) adds to {@link #RELAXES}.
     */
    public static final String WITHIN_MARGIN = "as the offline bound, except that a job whose planned local time (the "
            + "prediction with the router's margin) is longer than its window on every local model, while the cloud "
            + "meets its deadline, stays on the cloud: no router that admits only what its plan says finishes in time "
            + "runs such a job locally.";

    /** A job's local window and work, for the EDF pass. */
    record Window(double release, double deadline, double work) {}

    private OfflineBound() {}

    /** The bound on predicted run times (every run exactly as predicted). */
    public static Result compute(List<TraceJob> trace, ReplayCatalog catalog, int gpus, ZoneId zone) {
        double[] ones = new double[trace.size()];
        java.util.Arrays.fill(ones, 1.0);
        return compute(trace, catalog, gpus, zone, ones);
    }

    /**
     * The bound on the run times the replay charges: job {@code i} takes its predicted GPU-seconds times
     * {@code runFactor[i]} ({@link ReplaySimulator#runFactors}).
     */
    public static Result compute(List<TraceJob> trace, ReplayCatalog catalog, int gpus, ZoneId zone,
            double[] runFactor) {
        return compute(trace, catalog, gpus, zone, runFactor, false);
    }

    /**
     * The bound over the schedules a router without hedging can reach: as {@link #compute(List, ReplayCatalog, int,
     * ZoneId, double[])}, except that a job the cloud makes in time whose planned local time (prediction with margin,
     * {@link dev.wanhybrid.cost.routing.ServiceTime#pessimisticSeconds()}) is longer than its window on every local
     * model stays on the cloud. Such a router never runs one locally (its plan cannot finish it in time, and the
     * cloud can), so every schedule it makes is one of the schedules this bound ranges over, and the same relaxation
     * argument makes it a lower bound on them. It is never below the offline bound; the difference is what the
     * bound gains from knowing which of those runs will be quick, which only a router that gambles on a deadline or
     * hedges can have. See {@link #WITHIN_MARGIN}.
     */
    public static Result computeWithinMargin(List<TraceJob> trace, ReplayCatalog catalog, int gpus, ZoneId zone,
            double[] runFactor) {
        return compute(trace, catalog, gpus, zone, runFactor, true);
    }

    private static Result compute(List<TraceJob> trace, ReplayCatalog catalog, int gpus, ZoneId zone,
            double[] runFactor, boolean withinMargin) {
        GpuFleet fleet = catalog.local().fleet();
        Duration horizon = ReplaySimulator.horizon(trace, zone);
        Instant t0 = trace.isEmpty() ? Instant.EPOCH
                : trace.getFirst().arrival().atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
        Money allCloud = Money.zero(fleet.currency());
        // saving per GPU-second -> windows of that class; highest saving first
        Map<BigDecimal, List<Window>> classes = new TreeMap<>(Comparator.reverseOrder());
        int eligible = 0;
        int cloudHits = 0;
        // 1 / GPU-seconds -> windows of local-only jobs of that length; shortest first
        Map<Double, List<Window>> localOnly = new TreeMap<>(Comparator.reverseOrder());
        for (int i = 0; i < trace.size(); i++) {
            TraceJob job = trace.get(i);
            ReplayCatalog.CloudOption cloud = catalog.cheapestCloud(job)
                    .orElseThrow(() -> new IllegalStateException("no cloud model can make " + job));
            allCloud = allCloud.plus(cloud.price());
            double window = job.deadline().toMillis() / 1000.0;
            boolean cloudInTime = cloud.latency().compareTo(job.deadline()) <= 0;
            if (cloudInTime) {
                cloudHits++;
            }
            List<ReplayCatalog.LocalOption> options = gpus == 0 ? List.of() : catalog.localOptions(job);
            Optional<ReplayCatalog.LocalOption> local = options.stream().findFirst(); // fewest GPU-seconds dominates: cheaper and smaller
            if (local.isEmpty()) {
                continue;
            }
            if (withinMargin && cloudInTime
                    && options.stream().allMatch(o -> o.time().pessimisticSeconds() > window)) {
                continue;
            }
            double p = local.get().gpuSeconds() * runFactor[i];
            double release = ReplaySimulator.seconds(t0, job.arrival());
            if (!cloudInTime && p <= window) {
                localOnly.computeIfAbsent(roundUp(1 / p), k -> new ArrayList<>()).add(new Window(release, release + window, p));
            }
            BigDecimal saving = cloud.price().minus(catalog.local().marginal(p)).amount();
            if (p > window || saving.signum() <= 0) {
                continue;
            }
            eligible++;
            // Rounded up, and the total rounded down below, so that rounding can only lower the bound.
            BigDecimal density = BigDecimal.valueOf(roundUp(saving.doubleValue() / p)).setScale(12, RoundingMode.CEILING);
            classes.computeIfAbsent(density, k -> new ArrayList<>()).add(new Window(release, release + window, p));
        }
        double horizonSeconds = horizon.toSeconds();
        List<Window> union = new ArrayList<>();
        double[] gains = greedyGains(new ArrayList<>(classes.values()), gpus, union);
        BigDecimal savings = BigDecimal.ZERO;
        int k = 0;
        for (BigDecimal density : classes.keySet()) {
            savings = savings.add(density.multiply(BigDecimal.valueOf(gains[k++])));
        }
        // What the bound runs locally costs its marginal rate; it is already inside the saving (price - marginal).
        Money variable = allCloud.minus(Money.of(savings, fleet.currency()));
        variable = Money.of(variable.amount().setScale(6, RoundingMode.FLOOR), fleet.currency());
        Money fixed = fleet.fixedCostPerYear().times(BigDecimal.valueOf(horizon.toSeconds()))
                .dividedBy(GpuFleet.SECONDS_PER_YEAR, 10);
        double[] insideHorizon = new double[1];
        edfThroughput(union, gpus, horizonSeconds, insideHorizon);
        return new Result(variable.plus(fixed), variable, fixed, insideHorizon[0], (double) gpus * horizonSeconds,
                eligible, trace.size(), cloudHits + mostLocalOnlyHits(localOnly, gpus));
    }

    /** Grid step of the classes: weights are rounded up to a power of this, so the greedy needs few passes. */
    static final double CLASS_STEP = 1.005;

    /**
     * Rounds a positive weight up to the class grid. Rounding weights up only raises the maximum of the relaxation,
     * so the cost bound stays a lower bound and the hit bound an upper bound (by at most 0.5 % of the savings).
     */
    static double roundUp(double weight) {
        if (!(weight > 0)) {
            return weight;
        }
        double k = Math.ceil(Math.log(weight) / Math.log(CLASS_STEP) - 1e-9);
        return Math.max(weight, Math.pow(CLASS_STEP, k));
    }

    /**
     * An upper bound on how many jobs only the fleet can finish in time it does finish: the fractional jobs
     * (work done over work needed) the relaxation fits, which greedy shortest-first maximises exactly on the same
     * polymatroid, rounded down.
     */
    private static int mostLocalOnlyHits(Map<Double, List<Window>> byShortest, int gpus) {
        double[] gains = greedyGains(new ArrayList<>(byShortest.values()), gpus, new ArrayList<>());
        double jobs = 0;
        int k = 0;
        for (double weight : byShortest.keySet()) {
            jobs += gains[k++] * weight;
        }
        return (int) Math.floor(jobs + 1e-9);
    }

    /**
     * The greedy's gain per class, classes in order of weight, highest first: the rank of the first k classes
     * minus that of the first k-1, where the rank is the most work EDF fits. {@code union} receives every window.
     *
     * <p>Exact, with far fewer EDF passes than one per class: the rank is monotone and submodular, so when the rank
     * does not grow between two prefixes every class between gains nothing, and when it grows by all the work of
     * the classes between, each of them gains all of its work; only ranges where neither holds are split.
     */
    static double[] greedyGains(List<List<Window>> classes, double gpus, List<Window> union) {
        int n = classes.size();
        double[] work = new double[n + 1]; // total work of the first k classes
        List<Integer> classOf = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            for (Window w : classes.get(k)) {
                union.add(w);
                classOf.add(k);
            }
            work[k + 1] = work[k] + classes.get(k).stream().mapToDouble(Window::work).sum();
        }
        Prefixes prefixes = new Prefixes(union, classOf);
        double[] rank = new double[n + 1];
        if (n > 0) {
            rank[n] = prefixes.rank(n, gpus);
            fill(rank, work, prefixes, gpus, 0, n);
        }
        double[] gains = new double[n];
        for (int k = 0; k < n; k++) {
            gains[k] = Math.max(0, rank[k + 1] - rank[k]);
        }
        return gains;
    }

    private static void fill(double[] rank, double[] work, Prefixes prefixes, double gpus, int a, int b) {
        if (b - a <= 1) {
            return;
        }
        double grown = rank[b] - rank[a];
        double tolerance = 1e-9 * Math.max(1, work[b]);
        if (grown <= tolerance) {
            for (int k = a + 1; k < b; k++) {
                rank[k] = rank[a];
            }
            return;
        }
        if (Math.abs(grown - (work[b] - work[a])) <= tolerance) {
            for (int k = a + 1; k < b; k++) {
                rank[k] = rank[a] + (work[k] - work[a]);
            }
            return;
        }
        int mid = (a + b) >>> 1;
        rank[mid] = prefixes.rank(mid, gpus);
        fill(rank, work, prefixes, gpus, a, mid);
        fill(rank, work, prefixes, gpus, mid, b);
    }

    /**
     * The windows sorted by release once, each with its class, so that the EDF rank of the first k classes is one
     * pass over arrays with a heap of indices: the same algorithm as {@link #edfThroughput}, without re-sorting or
     * allocating per pass.
     */
    private static final class Prefixes {
        private final double[] release;
        private final double[] deadline;
        private final double[] work;
        private final int[] cls;
        private final double[] left;
        private final int[] heap;

        Prefixes(List<Window> windows, List<Integer> classOf) {
            int m = windows.size();
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, Comparator.comparingDouble(i -> windows.get(i).release()));
            release = new double[m];
            deadline = new double[m];
            work = new double[m];
            cls = new int[m];
            for (int i = 0; i < m; i++) {
                Window w = windows.get(order[i]);
                release[i] = w.release();
                deadline[i] = w.deadline();
                work[i] = w.work();
                cls[i] = classOf.get(order[i]);
            }
            left = new double[m];
            heap = new int[m];
        }

        /** The most work of the first {@code k} classes a machine of speed {@code speed} fits (EDF). */
        double rank(int k, double speed) {
            if (speed <= 0) {
                return 0;
            }
            int size = 0;
            double t = 0;
            double done = 0;
            int next = 0;
            int m = release.length;
            while (true) {
                while (next < m && cls[next] >= k) {
                    next++;
                }
                if (size == 0) {
                    if (next >= m) {
                        return done;
                    }
                    t = Math.max(t, release[next]);
                }
                while (next < m && (cls[next] >= k || release[next] <= t)) {
                    if (cls[next] < k) {
                        left[next] = work[next];
                        size = push(size, next);
                    }
                    next++;
                }
                int top = heap[0];
                if (deadline[top] <= t) {
                    size = pop(size); // expired: its remaining work is lost
                    continue;
                }
                int upcoming = next;
                while (upcoming < m && cls[upcoming] >= k) {
                    upcoming++;
                }
                double nextRelease = upcoming < m ? release[upcoming] : Double.POSITIVE_INFINITY;
                double end = Math.min(Math.min(t + left[top] / speed, deadline[top]), nextRelease);
                double did = (end - t) * speed;
                left[top] -= did;
                done += did;
                t = end;
                if (left[top] <= 1e-9) {
                    size = pop(size);
                }
            }
        }

        private int push(int size, int i) {
            int c = size;
            while (c > 0) {
                int parent = (c - 1) >>> 1;
                if (deadline[heap[parent]] <= deadline[i]) {
                    break;
                }
                heap[c] = heap[parent];
                c = parent;
            }
            heap[c] = i;
            return size + 1;
        }

        private int pop(int size) {
            int last = heap[--size];
            int c = 0;
            while (true) {
                int l = 2 * c + 1;
                if (l >= size) {
                    break;
                }
                int r = l + 1 < size && deadline[heap[l + 1]] < deadline[heap[l]] ? l + 1 : l;
                if (deadline[heap[r]] >= deadline[last]) {
                    break;
                }
                heap[c] = heap[r];
                c = r;
            }
            heap[c] = last;
            return size;
        }
    }

    /**
     * The most work a single machine of speed {@code speed} can do on these jobs, each only inside its window,
     * with preemption and partial credit: earliest deadline first, dropping what is left at a deadline.
     */
    static double edfThroughput(List<Window> jobs, double speed) {
        return edfThroughput(jobs, speed, Double.POSITIVE_INFINITY, new double[1]);
    }

    /** As above; also adds to {@code doneBefore[0]} the work done before {@code cutoff}. */
    static double edfThroughput(List<Window> jobs, double speed, double cutoff, double[] doneBefore) {
        if (speed <= 0 || jobs.isEmpty()) {
            return 0;
        }
        List<Window> byRelease = new ArrayList<>(jobs);
        byRelease.sort(Comparator.comparingDouble(Window::release));
        PriorityQueue<double[]> ready = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0])); // {deadline, left}
        double t = 0;
        double done = 0;
        int next = 0;
        while (next < byRelease.size() || !ready.isEmpty()) {
            if (ready.isEmpty()) {
                t = Math.max(t, byRelease.get(next).release());
            }
            while (next < byRelease.size() && byRelease.get(next).release() <= t) {
                Window w = byRelease.get(next++);
                ready.add(new double[] {w.deadline(), w.work()});
            }
            double[] top = ready.peek();
            if (top == null) {
                continue;
            }
            if (top[0] <= t) {
                ready.poll(); // expired: its remaining work is lost
                continue;
            }
            double nextRelease = next < byRelease.size() ? byRelease.get(next).release() : Double.POSITIVE_INFINITY;
            double end = Math.min(Math.min(t + top[1] / speed, top[0]), nextRelease);
            double work = (end - t) * speed;
            top[1] -= work;
            done += work;
            doneBefore[0] += Math.max(0, Math.min(end, cutoff) - Math.min(t, cutoff)) * speed;
            t = end;
            if (top[1] <= 1e-9) {
                ready.poll();
            }
        }
        return done;
    }
}
