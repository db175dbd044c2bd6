package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.routing.LocalSchedule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Replays a trace through a policy against the fleet. Local jobs wait in the routing core's deadline-ordered plan
 * ({@link LocalSchedule}); a GPU that frees up starts the queue's earliest deadline, one job per GPU at a time.
 * Each job takes its predicted GPU-seconds times a seeded log-normal factor, the same factor for the same job under
 * every strategy and in the bound ({@link #runFactors}), so the prediction a policy sees is good but not perfect,
 * and the bound is computed on the run times the replay charges.
 *
 * <p>A job the policy runs hedged ({@link ReplayPolicy.Decision#hedgeAt()}) is looked at at its hedge point: if it
 * has not started, or its progress says it will finish after its deadline, it moves to the cloud then. Steps take
 * equal time, so progress projects the run's real end; a run cancelled this way is charged the GPU time it used,
 * plus the cloud's price.
 *
 * <p>A cloud task takes the latency the catalog assumes ({@link ReplayCatalog.CloudOption#latency()}), unless the
 * simulator is made {@linkplain #withCloudLatencySpread(double) with a spread}: then each job's cloud task, sent at
 * arrival or as a hedge's rescue, takes that latency times a seeded log-normal factor of median 1
 * ({@link #cloudLatencyFactors}), the same factor for the same job under every strategy. Policies and hedge points
 * keep planning on the assumed latency, as the gateway plans on its learnt median; only whether the job meets its
 * deadline changes. The cost does not (the cloud bills per second of output, not per second of waiting).
 *
 * <p>{@linkplain #withCloudLatencySpread(double, CloudLatencyDraw) Drawn per hour} instead, the factor belongs to the
 * hour of the trace (counted from the start of its first day in the billing zone) in which the cloud task is sent:
 * the job's arrival for a job sent at once, the hedge point for a rescue. One draw per hour
 * ({@link #cloudLatencyHourFactors}), the same sigma, so a slow hour slows every cloud task sent in it together.
 */
public final class ReplaySimulator {

    private final ReplayCatalog catalog;
    private final int gpus;
    private final long seed;
    private final double noiseSigma;
    private final ZoneId zone;
    private final double cloudLatencySigma;
    private final CloudLatencyDraw cloudLatencyDraw;
    /** How far back the policies' cloud latency is learnt from finished cloud tasks; {@code null}: not learnt. */
    private final Duration learningWindow;

    /** How the cloud latency factors of a {@linkplain #withCloudLatencySpread spread} are drawn. */
    public enum CloudLatencyDraw {
        /** One independent draw per job ({@link #cloudLatencyFactors}). */
        PER_JOB,
        /**
         * One draw per hour of the trace, shared by every cloud task sent in that hour
         * ({@link #cloudLatencyHourFactors}).
         */
        PER_HOUR
    }

    public ReplaySimulator(ReplayCatalog catalog, int gpus, long seed, double noiseSigma, ZoneId zone) {
        this(catalog, gpus, seed, noiseSigma, zone, 0, CloudLatencyDraw.PER_JOB, null);
    }

    private ReplaySimulator(ReplayCatalog catalog, int gpus, long seed, double noiseSigma, ZoneId zone,
            double cloudLatencySigma, CloudLatencyDraw cloudLatencyDraw, Duration learningWindow) {
        if (!(cloudLatencySigma >= 0 && Double.isFinite(cloudLatencySigma))) {
            throw new IllegalArgumentException("cloud latency spread must be a finite sigma >= 0, was "
                    + cloudLatencySigma);
        }
        this.cloudLatencyDraw = java.util.Objects.requireNonNull(cloudLatencyDraw);
        this.catalog = catalog;
        this.gpus = gpus;
        this.seed = seed;
        this.noiseSigma = noiseSigma;
        this.zone = zone;
        this.cloudLatencySigma = cloudLatencySigma;
        this.learningWindow = learningWindow;
    }

    /**
     * The same simulator where the policies plan on the cloud latency they learnt, as the gateway's
     * {@code CloudLatencyTracker} does: a cloud option's latency is the catalog's times the median of real over
     * catalog latency of the cloud tasks of that model that finished in the last {@code window} (at least 3; the
     * catalog's latency until then). What a job really takes is unchanged (the catalog's latency times its draw).
     * Only matters with a {@linkplain #withCloudLatencySpread spread}: without one every factor is 1.
     */
    public ReplaySimulator withLearnedCloudLatency(Duration window) {
        return new ReplaySimulator(catalog, gpus, seed, noiseSigma, zone, cloudLatencySigma, cloudLatencyDraw,
                java.util.Objects.requireNonNull(window));
    }

    /**
     * The same simulator where each cloud task's real latency is the assumed one times {@code exp(sigma * Z)}, Z a
     * seeded standard normal drawn per job (median: the assumed latency). 0, the default, is the assumed latency
     * exactly, with no draw made.
     */
    public ReplaySimulator withCloudLatencySpread(double sigma) {
        return withCloudLatencySpread(sigma, CloudLatencyDraw.PER_JOB);
    }

    /**
     * As {@link #withCloudLatencySpread(double)}, with the factor drawn per job or per hour of sending
     * ({@link CloudLatencyDraw}). A sigma of 0 is the assumed latency exactly either way.
     */
    public ReplaySimulator withCloudLatencySpread(double sigma, CloudLatencyDraw draw) {
        return new ReplaySimulator(catalog, gpus, seed, noiseSigma, zone, sigma, draw, learningWindow);
    }

    public double cloudLatencySpread() {
        return cloudLatencySigma;
    }

    public CloudLatencyDraw cloudLatencyDraw() {
        return cloudLatencyDraw;
    }

    /** The trace's span: whole days in the billing zone from the first arrival's day to the last one's. */
    public static Duration horizon(List<TraceJob> trace, ZoneId zone) {
        if (trace.isEmpty()) {
            return Duration.ZERO;
        }
        Instant first = trace.getFirst().arrival().atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
        Instant last = trace.getLast().arrival().atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
        return Duration.between(first, last);
    }

    /** Actual over predicted run time for each job of the trace: what every strategy and the bound charge. */
    public double[] runFactors(int jobs) {
        SplittableRandom noise = new SplittableRandom(seed);
        double[] f = new double[jobs];
        for (int i = 0; i < jobs; i++) {
            f[i] = Math.exp(noiseSigma * noise.nextGaussian());
        }
        return f;
    }

    /**
     * Real over assumed cloud latency for each job of the trace, from a stream of the simulator's seed apart from
     * {@link #runFactors}'s: all 1 without a spread. What the replay uses when drawn
     * {@linkplain CloudLatencyDraw#PER_JOB per job}, the default.
     */
    public double[] cloudLatencyFactors(int jobs) {
        double[] f = new double[jobs];
        if (cloudLatencySigma == 0) {
            java.util.Arrays.fill(f, 1.0);
            return f;
        }
        SplittableRandom draws = new SplittableRandom(seed).split();
        for (int i = 0; i < jobs; i++) {
            f[i] = Math.exp(cloudLatencySigma * draws.nextGaussian());
        }
        return f;
    }

    /**
     * Real over assumed cloud latency for each hour of the trace, hour 0 starting at the start of the first arrival's
     * day, from a stream of the simulator's seed apart from {@link #runFactors}'s and {@link #cloudLatencyFactors}'s;
     * a longer list extends a shorter one. All 1 without a spread. What the replay uses when drawn
     * {@linkplain CloudLatencyDraw#PER_HOUR per hour}.
     */
    public double[] cloudLatencyHourFactors(int hours) {
        double[] f = new double[hours];
        HourDraws draws = new HourDraws();
        for (int h = 0; h < hours; h++) {
            f[h] = draws.factor(h);
        }
        return f;
    }

    /** The per-hour factors, drawn in order as far as asked. */
    private final class HourDraws {
        private final SplittableRandom stream;
        private double[] drawn = new double[0];
        private int count;

        HourDraws() {
            SplittableRandom root = new SplittableRandom(seed);
            root.split(); // cloudLatencyFactors' stream
            stream = root.split();
        }

        double factor(int hour) {
            if (cloudLatencySigma == 0) {
                return 1.0;
            }
            if (hour >= drawn.length) {
                drawn = java.util.Arrays.copyOf(drawn, Math.max(hour + 1, 2 * drawn.length));
            }
            while (count <= hour) {
                drawn[count++] = Math.exp(cloudLatencySigma * stream.nextGaussian());
            }
            return drawn[hour];
        }
    }

    /** The factor for job {@code i}'s cloud task sent {@code sentAt} seconds after the trace's start. */
    @FunctionalInterface
    private interface CloudFactor {
        double of(int i, double sentAt);
    }

    private CloudFactor cloudFactor(int jobs) {
        if (cloudLatencySigma == 0) {
            return (i, sentAt) -> 1.0;
        }
        if (cloudLatencyDraw == CloudLatencyDraw.PER_JOB) {
            double[] f = cloudLatencyFactors(jobs);
            return (i, sentAt) -> f[i];
        }
        HourDraws hours = new HourDraws();
        return (i, sentAt) -> hours.factor((int) Math.floor(Math.max(0, sentAt) / 3600));
    }

    public ReplayOutcome run(List<TraceJob> trace, ReplayPolicy policy) {
        return simulate(trace, policy, policy.name(), true, policy.readsLocalWait());
    }

    /** Everything on the cloud API, no fleet at all. */
    public ReplayOutcome allCloud(List<TraceJob> trace) {
        return simulate(trace, (job, view) -> new ReplayPolicy.Decision("cloud", view.cloud().orElseThrow().model(),
                "all_cloud"), "all-cloud", false, false);
    }

    /** Everything the fleet can make goes local whatever the queue; only what it cannot make goes to the cloud. */
    public ReplayOutcome allLocal(List<TraceJob> trace) {
        return simulate(trace, (job, view) -> view.local().isEmpty()
                ? new ReplayPolicy.Decision("cloud", view.cloud().orElseThrow().model(), "local_cannot")
                : new ReplayPolicy.Decision("local", view.local().getFirst().model(), "all_local"),
                "all-local", true, false);
    }

    /** The fleet as the simulation knows it: the plan, when each busy GPU really frees up, and the hedge points. */
    private static final class Fleet {
        /** Suspensions asked for by a decision on an arrival, and at a queued job's latest start. */
        int suspendedForArrivals;
        int suspendedForLatestStarts;
        final LocalSchedule plan;
        final double[] actualEnd;
        final int[] jobOn;
        /** Per GPU: when its run (a resumed job's: its resumption) started, and the resume overhead it began with. */
        final double[] runStart;
        final double[] runOverhead;
        /** Per job: real GPU-seconds of work still to do (all of it until it is suspended); NaN until admitted. */
        double[] workLeft = new double[0];
        /** Per job: the overhead its next run begins with (a suspended job's resume); 0 otherwise. */
        double[] resumeOverhead = new double[0];
        /** Per job: the real time of one of its denoising steps (its real run time over its steps); 0 if unknown. */
        double[] stepSeconds = new double[0];
        /**
         * Per GPU: when the suspension asked of its run takes effect, at the run's next step boundary; NaN when none
         * is pending. The overhead its resume will cost, and what is left of it, queued in the plan.
         */
        final double[] suspendAt;
        final double[] pendingOverhead;
        final LocalSchedule.Job[] pendingRest;
        /** A pre-empting policy, watching its queued jobs' latest starts; {@code null} otherwise. */
        ReplayPolicy preempting;
        /** Latest starts still to look at, earliest first: {time, job index}. */
        final java.util.PriorityQueue<double[]> latestStarts = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingDouble((double[] h) -> h[0]).thenComparingDouble(h -> h[1]));
        /** Queued unhedged jobs of a pre-empting policy, as queued now (a suspended job: what is left of it). */
        final java.util.Map<Integer, LocalSchedule.Job> waiting = new java.util.HashMap<>();

        /** Watches a queued job's latest start on pessimistic times, from {@code now} at the earliest. */
        void watch(LocalSchedule.Job job, double now) {
            if (preempting != null && !job.hedged()) {
                waiting.put((int) job.id(), job);
                latestStarts.add(new double[] {Math.max(now, job.due() - job.time().pessimisticSeconds()), job.id()});
            }
        }
        /** Hedge points still to look at, earliest first: {hedge time, job index}. */
        final java.util.PriorityQueue<double[]> hedges = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingDouble((double[] h) -> h[0]).thenComparingDouble(h -> h[1]));
        final java.util.Map<Integer, LocalSchedule.Job> planned = new java.util.HashMap<>();

        Fleet(int gpus) {
            plan = new LocalSchedule(gpus);
            actualEnd = new double[gpus];
            jobOn = new int[gpus];
            java.util.Arrays.fill(jobOn, -1);
            runStart = new double[gpus];
            runOverhead = new double[gpus];
            suspendAt = new double[gpus];
            java.util.Arrays.fill(suspendAt, Double.NaN);
            pendingOverhead = new double[gpus];
            pendingRest = new LocalSchedule.Job[gpus];
        }

        void sized(int jobs) {
            workLeft = new double[jobs];
            resumeOverhead = new double[jobs];
            stepSeconds = new double[jobs];
        }

        /** When GPU {@code g}'s run next changes: its end, or the step boundary a pending suspension waits for. */
        double eventAt(int g) {
            return Double.isNaN(suspendAt[g]) ? actualEnd[g] : Math.min(suspendAt[g], actualEnd[g]);
        }

        /** Suspensions pending, their step boundaries not reached yet. */
        int pending() {
            int n = 0;
            for (double t : suspendAt) {
                if (!Double.isNaN(t)) {
                    n++;
                }
            }
            return n;
        }

        /** The earliest step boundary a pending suspension waits for; +Infinity when none is pending. */
        double nextBoundary() {
            double t = Double.POSITIVE_INFINITY;
            for (double b : suspendAt) {
                if (!Double.isNaN(b)) {
                    t = Math.min(t, b);
                }
            }
            return t;
        }
    }

    private ReplayOutcome simulate(List<TraceJob> trace, ReplayPolicy policy, String name, boolean withFleet,
            boolean readsWait) {
        GpuFleet economics = catalog.local().fleet();
        Currency currency = economics.currency();
        Duration horizon = horizon(trace, zone);
        Instant t0 = trace.isEmpty() ? Instant.EPOCH : trace.getFirst().arrival().atZone(zone).toLocalDate()
                .atStartOfDay(zone).toInstant();
        double[] factor = runFactors(trace.size());
        CloudFactor cloudFactor = cloudFactor(trace.size());
        Fleet fleet = new Fleet(withFleet ? gpus : 0);
        fleet.sized(trace.size());
        fleet.preempting = withFleet && policy.preempts() ? policy : null;
        double[] predicted = new double[trace.size()];
        double end = horizon.toSeconds();
        Money cloud = Money.zero(currency);
        Money[] marginal = {Money.zero(currency)};
        int local = 0;
        int[] hits = {0};
        double[] busy = {0};
        SortedMap<LocalDate, Money[]> daily = new TreeMap<>();
        SortedMap<LocalDate, Integer> misses = new TreeMap<>();
        SortedMap<LocalDate, Integer> peakQueue = new TreeMap<>();
        Completion done = new Completion() {
            @Override
            public void finished(int i, double start, double finish) {
                TraceJob job = trace.get(i);
                ran(i, start, finish);
                if (finish - seconds(t0, job.arrival()) <= job.deadline().toMillis() / 1000.0) {
                    hits[0]++;
                } else {
                    misses.merge(job.arrival().atZone(zone).toLocalDate(), 1, Integer::sum);
                }
            }

            @Override
            public void ran(int i, double start, double finish) {
                TraceJob job = trace.get(i);
                Money cost = catalog.local().marginal(finish - start);
                marginal[0] = marginal[0].plus(cost);
                Money[] day = day(daily, job.arrival().atZone(zone).toLocalDate(), currency);
                day[0] = day[0].plus(cost);
                // Utilization counts only the GPU time inside the trace's days; a backlog past the end is not capacity used.
                busy[0] += Math.max(0, Math.min(finish, end) - Math.min(start, end));
            }
        };
        LatencyLearner learner = learningWindow == null ? null : new LatencyLearner(learningWindow.toSeconds());
        ReplayCatalog.CloudOption[] rescue = new ReplayCatalog.CloudOption[trace.size()];
        Money[] hedgedCloud = {Money.zero(currency)};
        int[] hedgedAway = {0};
        Hedge hedge = (i, start, at) -> {
            TraceJob job = trace.get(i);
            LocalDate arrived = job.arrival().atZone(zone).toLocalDate();
            Money[] today = day(daily, arrived, currency);
            if (!Double.isNaN(start)) {
                Money used = catalog.local().marginal(at - start);
                marginal[0] = marginal[0].plus(used);
                today[0] = today[0].plus(used);
                busy[0] += Math.max(0, Math.min(at, end) - Math.min(start, end));
            }
            hedgedCloud[0] = hedgedCloud[0].plus(rescue[i].price());
            today[1] = today[1].plus(rescue[i].price());
            hedgedAway[0]++;
            if (learner != null) {
                learner.sent(rescue[i].model(), at, cloudFactor.of(i, at), rescue[i].latency().toMillis() / 1000.0);
            }
            if (at + rescue[i].latency().toMillis() / 1000.0 * cloudFactor.of(i, at) - seconds(t0, job.arrival())
                    <= job.deadline().toMillis() / 1000.0) {
                hits[0]++;
            } else {
                misses.merge(arrived, 1, Integer::sum);
            }
        };
        for (int i = 0; i < trace.size(); i++) {
            TraceJob job = trace.get(i);
            double now = seconds(t0, job.arrival());
            advance(fleet, now, predicted, factor, done, hedge);
            reportProgress(fleet, now);
            peakQueue.merge(job.arrival().atZone(zone).toLocalDate(), fleet.plan.queued(), Math::max);
            List<ReplayCatalog.LocalOption> localOptions = withFleet && gpus > 0 ? catalog.localOptions(job) : List.of();
            Optional<ReplayCatalog.CloudOption> cloudOption = catalog.cheapestCloud(job);
            double due = now + job.deadline().toMillis() / 1000.0;
            Duration wait = Duration.ZERO;
            if (!localOptions.isEmpty() && readsWait) {
                double start = fleet.plan.plannedStart(new LocalSchedule.Job(i, due, localOptions.getFirst().time()), now);
                wait = Double.isInfinite(start) ? Duration.ofDays(365)
                        : Duration.ofMillis((long) (Math.max(0, start - now) * 1000));
            }
            Optional<ReplayCatalog.CloudOption> learnt = learner == null ? cloudOption
                    : cloudOption.map(o -> learner.planned(o, now));
            ReplayPolicy.Decision d = policy.decide(job, new ReplayPolicy.View(job.arrival(), wait,
                    fleet.plan.queued(), withFleet ? gpus : 0, localOptions, learnt, i, now, fleet.plan));
            if ("local".equals(d.backend())) {
                ReplayCatalog.LocalOption option = localOptions.stream().filter(o -> o.model().equals(d.model()))
                        .findFirst().orElseThrow(() -> new IllegalStateException(name + " chose " + d.model()
                                + " for a job it cannot make: " + job));
                if (d.suspend() >= 0) {
                    suspend(fleet, (int) d.suspend(), now, d.suspendOverhead(), done);
                    fleet.suspendedForArrivals++;
                }
                predicted[i] = option.gpuSeconds();
                fleet.workLeft[i] = option.gpuSeconds() * factor[i];
                fleet.stepSeconds[i] = option.time().steps() > 0 ? fleet.workLeft[i] / option.time().steps() : 0;
                LocalSchedule.Job planned = new LocalSchedule.Job(i, due, option.time(), d.hedgeAt());
                if (planned.hedged()) {
                    rescue[i] = cloudOption.orElseThrow(() -> new IllegalStateException(
                            name + " hedged a job no cloud model can make: " + job));
                    fleet.hedges.add(new double[] {d.hedgeAt(), i});
                    fleet.planned.put(i, planned);
                }
                fleet.plan.enqueue(planned);
                fleet.watch(planned, now);
                startIdle(fleet, now, predicted, factor);
                local++;
            } else {
                // The policy's own cloud model is charged; a policy that names none gets the cheapest.
                ReplayCatalog.CloudOption option = (d.model() == null ? Optional.<ReplayCatalog.CloudOption>empty()
                        : catalog.cloudOption(job, d.model())).or(() -> cloudOption).orElseThrow(
                        () -> new IllegalStateException("no cloud model can make " + job));
                cloud = cloud.plus(option.price());
                Money[] today = day(daily, job.arrival().atZone(zone).toLocalDate(), currency);
                today[1] = today[1].plus(option.price());
                if (learner != null) {
                    learner.sent(option.model(), now, cloudFactor.of(i, now), option.latency().toMillis() / 1000.0);
                }
                if (meets(option.latency(), cloudFactor.of(i, now), job.deadline())) {
                    hits[0]++;
                } else {
                    misses.merge(job.arrival().atZone(zone).toLocalDate(), 1, Integer::sum);
                }
            }
        }
        advance(fleet, Double.POSITIVE_INFINITY, predicted, factor, done, hedge);
        cloud = cloud.plus(hedgedCloud[0]);
        local -= hedgedAway[0];
        Money fixed = Money.zero(currency);
        if (withFleet && !horizon.isZero()) {
            fixed = economics.fixedCostPerYear().times(BigDecimal.valueOf(horizon.toSeconds()))
                    .dividedBy(GpuFleet.SECONDS_PER_YEAR, 10);
            Money perDay = economics.fixedCostPerYear().dividedBy(BigDecimal.valueOf(365), 10);
            for (LocalDate day = t0.atZone(zone).toLocalDate(); day.isBefore(t0.plus(horizon).atZone(zone).toLocalDate());
                    day = day.plusDays(1)) {
                Money[] today = day(daily, day, currency);
                today[0] = today[0].plus(perDay);
            }
        }
        SortedMap<LocalDate, List<Money>> days = new TreeMap<>();
        daily.forEach((k, v) -> days.put(k, List.of(v[0], v[1])));
        double available = withFleet ? (double) gpus * horizon.toSeconds() : 0;
        return new ReplayOutcome(name, cloud, marginal[0], fixed, trace.size(), local, hits[0], busy[0], available,
                days, misses, peakQueue, fleet.suspendedForArrivals, fleet.suspendedForLatestStarts);
    }

    private interface Completion {
        /** The job's last run ended at {@code finish}: it is done, its GPU time charged. */
        void finished(int job, double start, double finish);

        /** A run of the job from {@code start} to {@code finish} is charged, the job not done (it was suspended). */
        void ran(int job, double start, double finish);
    }

    /** A hedged job moved to the cloud at {@code at}; {@code start} is {@code NaN} when it had not started. */
    @FunctionalInterface
    private interface Hedge {
        void movedToCloud(int job, double start, double at);
    }

    private static Money[] day(SortedMap<LocalDate, Money[]> daily, LocalDate day, Currency currency) {
        return daily.computeIfAbsent(day, k -> new Money[] {Money.zero(currency), Money.zero(currency)});
    }

    /**
     * Runs the fleet up to {@code now}: every GPU that really finishes by then starts the queue's head, and every
     * hedge point passed by then moves its job to the cloud when it has not started or would finish late.
     */
    private static void advance(Fleet fleet, double now, double[] predicted, double[] factor, Completion done,
            Hedge hedge) {
        while (true) {
            int gpu = -1;
            for (int g = 0; g < fleet.jobOn.length; g++) {
                if (fleet.jobOn[g] >= 0 && fleet.eventAt(g) <= now && (gpu < 0 || fleet.eventAt(g) < fleet.eventAt(gpu))) {
                    gpu = g;
                }
            }
            double[] point = fleet.hedges.peek();
            boolean hedgeFirst = point != null && point[0] <= now && (gpu < 0 || point[0] < fleet.eventAt(gpu));
            if (hedgeFirst) {
                fleet.hedges.poll();
                lookAt(fleet, (int) point[1], point[0], predicted, factor, hedge);
                continue;
            }
            double[] latest = fleet.latestStarts.peek();
            if (latest != null && latest[0] <= now && (gpu < 0 || latest[0] < fleet.eventAt(gpu))) {
                fleet.latestStarts.poll();
                latestStart(fleet, (int) latest[1], latest[0], predicted, factor, done);
                continue;
            }
            if (gpu < 0) {
                return;
            }
            int i = fleet.jobOn[gpu];
            if (!Double.isNaN(fleet.suspendAt[gpu]) && fleet.suspendAt[gpu] < fleet.actualEnd[gpu]) {
                // The step boundary a suspension waited for: the run so far is charged, what is left of it waits.
                double t = fleet.suspendAt[gpu];
                done.ran(i, fleet.runStart[gpu], t);
                fleet.workLeft[i] = Math.max(0, Math.min(fleet.workLeft[i], fleet.actualEnd[gpu] - t));
                fleet.resumeOverhead[i] = fleet.pendingOverhead[gpu];
                LocalSchedule.Job rest = fleet.pendingRest[gpu];
                clearPending(fleet, gpu);
                fleet.plan.suspended(gpu);
                fleet.jobOn[gpu] = -1;
                fleet.watch(rest, t);
                start(fleet, gpu, t, predicted, factor);
                continue;
            }
            double t = fleet.actualEnd[gpu];
            done.finished(i, fleet.runStart[gpu], t);
            fleet.planned.remove(i);
            fleet.waiting.remove(i);
            clearPending(fleet, gpu); // a suspension asked in its last step: it ended first
            fleet.plan.finish(gpu);
            fleet.jobOn[gpu] = -1;
            start(fleet, gpu, t, predicted, factor);
        }
    }

    /** A hedged job's hedge point at {@code t}: still queued, or running past its deadline, it leaves for the cloud. */
    private static void lookAt(Fleet fleet, int i, double t, double[] predicted, double[] factor, Hedge hedge) {
        LocalSchedule.Job job = fleet.planned.remove(i);
        if (job == null) {
            return; // already finished
        }
        if (fleet.plan.remove(job)) {
            hedge.movedToCloud(i, Double.NaN, t);
            return;
        }
        for (int g = 0; g < fleet.jobOn.length; g++) {
            if (fleet.jobOn[g] == i) {
                if (fleet.actualEnd[g] > job.due()) {
                    hedge.movedToCloud(i, fleet.runStart[g], t);
                    fleet.plan.finish(g);
                    fleet.jobOn[g] = -1;
                    start(fleet, g, t, predicted, factor);
                }
                return;
            }
        }
    }

    /**
     * A queued job's latest start at {@code t} with every GPU busy: the pre-empting policy may name a run to suspend,
     * whose GPU then starts the queue's head. A job no longer queued, or queued again later with a later latest start
     * (what is left of it after a suspension), is looked at then.
     */
    private static void latestStart(Fleet fleet, int i, double t, double[] predicted, double[] factor,
            Completion done) {
        LocalSchedule.Job w = fleet.waiting.get(i);
        if (w == null || fleet.plan.idleGpu() >= 0 || w.due() - w.time().pessimisticSeconds() > t) {
            return;
        }
        int pending = fleet.pending();
        if (pending > 0) {
            int ahead = 0; // queued jobs up to and including this one, in deadline order
            for (LocalSchedule.Job q : fleet.plan.queuedJobs()) {
                ahead++;
                if (q.id() == i) {
                    break;
                }
            }
            if (ahead <= pending) {
                // GPUs already freeing at their step boundaries will take it: look again at the first of them.
                fleet.latestStarts.add(new double[] {fleet.nextBoundary(), i});
                return;
            }
        }
        reportProgress(fleet, t);
        LocalSchedule.Job r = fleet.preempting.suspensionFor(w, t, fleet.plan);
        if (r == null) {
            return;
        }
        int gpu = suspend(fleet, (int) r.id(), t, fleet.preempting.suspendOverhead(), done);
        fleet.suspendedForLatestStarts++;
        if (fleet.jobOn[gpu] < 0) {
            start(fleet, gpu, t, predicted, factor);
            if (fleet.waiting.containsKey(i)) {
                fleet.latestStarts.add(new double[] {t, i}); // the head was another job: look again
            }
        } else {
            fleet.latestStarts.add(new double[] {fleet.suspendAt[gpu], i}); // the GPU frees at its step boundary
        }
    }

    /** Tells the plan how much of each run's work is left at {@code now}, as an engine's step count would. */
    private static void reportProgress(Fleet fleet, double now) {
        for (int g = 0; g < fleet.jobOn.length; g++) {
            int i = fleet.jobOn[g];
            if (i >= 0) {
                double work = fleet.actualEnd[g] - fleet.runStart[g] - fleet.runOverhead[g];
                double left = Math.min(fleet.actualEnd[g] - now, work);
                fleet.plan.reportProgress(g, work <= 0 ? 0 : Math.max(0, Math.min(1, left / work)));
            }
        }
    }

    /**
     * Suspends job {@code i}'s run, asked at {@code now}: what is left of its work is queued again in the plan, and
     * its next run begins with {@code overhead} seconds to resume it. The run stops at its next step boundary (an
     * engine finishes the step in progress before it saves the latent): its real time to that boundary from the
     * job's real time per step, the same for every step. Until then it goes on, and its GPU takes the queue's head
     * then ({@link #advance}); the run is charged to the boundary, its work done counted, nothing wasted. With no
     * boundary to wait for (steps unknown), it stops now. Returns the GPU, idle when the run stopped now.
     */
    private static int suspend(Fleet fleet, int i, double now, double overhead, Completion done) {
        for (int g = 0; g < fleet.jobOn.length; g++) {
            if (fleet.jobOn[g] == i) {
                double boundary = stepBoundary(fleet, g, now);
                LocalSchedule.Job rest = fleet.plan.suspend(g, now, overhead);
                if (fleet.plan.suspending(g)) {
                    fleet.suspendAt[g] = Math.max(now, boundary);
                    fleet.pendingOverhead[g] = overhead;
                    fleet.pendingRest[g] = rest;
                    return g;
                }
                done.ran(i, fleet.runStart[g], now);
                fleet.workLeft[i] = Math.max(0, Math.min(fleet.workLeft[i], fleet.actualEnd[g] - now));
                fleet.resumeOverhead[i] = overhead;
                fleet.watch(rest, now);
                fleet.jobOn[g] = -1;
                return g;
            }
        }
        throw new IllegalStateException("job " + i + " is not running, so it cannot be suspended");
    }

    /**
     * The real time of the next step boundary of the run on {@code g} at or after {@code now}: the end of its resume
     * overhead while it is in it, else {@code now} plus what is left of the step in progress (its real work left
     * above its whole steps left); {@code now} when its steps are not known.
     */
    private static double stepBoundary(Fleet fleet, int g, double now) {
        double step = fleet.stepSeconds[fleet.jobOn[g]];
        if (!(step > 0)) {
            return now;
        }
        double workStart = fleet.runStart[g] + fleet.runOverhead[g];
        if (now < workStart) {
            return workStart;
        }
        double left = fleet.actualEnd[g] - now;
        double whole = Math.floor(left / step + 1e-6);
        return now + Math.max(0, left - whole * step);
    }

    private static void clearPending(Fleet fleet, int g) {
        fleet.suspendAt[g] = Double.NaN;
        fleet.pendingOverhead[g] = 0;
        fleet.pendingRest[g] = null;
    }

    private static void startIdle(Fleet fleet, double now, double[] predicted, double[] factor) {
        for (int g = 0; g < fleet.jobOn.length; g++) {
            if (fleet.jobOn[g] < 0 && fleet.plan.queued() > 0) {
                start(fleet, g, now, predicted, factor);
            }
        }
    }

    private static void start(Fleet fleet, int gpu, double t, double[] predicted, double[] factor) {
        Optional<LocalSchedule.Job> started = fleet.plan.startNext(gpu, t);
        for (int g = 0; g < fleet.suspendAt.length; g++) {
            if (!Double.isNaN(fleet.suspendAt[g]) && !fleet.plan.suspending(g)) {
                clearPending(fleet, g); // the plan cancelled it: its run was the queue's head, and keeps its GPU
            }
        }
        started.ifPresent(job -> {
            int i = (int) job.id();
            fleet.waiting.remove(i);
            fleet.jobOn[gpu] = i;
            fleet.runStart[gpu] = t;
            fleet.runOverhead[gpu] = fleet.resumeOverhead[i];
            fleet.actualEnd[gpu] = t + fleet.resumeOverhead[i] + fleet.workLeft[i];
            fleet.resumeOverhead[i] = 0;
        });
    }

    /** Whether a cloud task sent at arrival meets the deadline; without a spread, exactly the old comparison. */
    private static boolean meets(Duration latency, double factor, Duration deadline) {
        return factor == 1.0 ? latency.compareTo(deadline) <= 0
                : latency.toMillis() / 1000.0 * factor <= deadline.toMillis() / 1000.0;
    }

    static double seconds(Instant t0, Instant t) {
        return Duration.between(t0, t).toMillis() / 1000.0;
    }

    /**
     * The cloud latency a policy learns from cloud tasks as they finish ({@link #withLearnedCloudLatency}): per
     * model, the median of real over catalog latency of the tasks that finished in the window, once there are 3.
     */
    private static final class LatencyLearner {
        private final double window;
        /** Per model: tasks sent, not finished yet, by finish time: {finish, factor}. */
        private final java.util.Map<String, java.util.PriorityQueue<double[]>> running = new java.util.HashMap<>();
        /** Per model: finished tasks in finish order: {finish, factor}. */
        private final java.util.Map<String, java.util.ArrayDeque<double[]>> finished = new java.util.HashMap<>();

        LatencyLearner(double windowSeconds) {
            this.window = windowSeconds;
        }

        void sent(String model, double at, double factor, double catalogSeconds) {
            running.computeIfAbsent(model, m -> new java.util.PriorityQueue<>(
                    java.util.Comparator.comparingDouble((double[] t) -> t[0])))
                    .add(new double[] {at + catalogSeconds * factor, factor});
        }

        ReplayCatalog.CloudOption planned(ReplayCatalog.CloudOption option, double now) {
            var done = finished.computeIfAbsent(option.model(), m -> new java.util.ArrayDeque<>());
            var pending = running.get(option.model());
            while (pending != null && !pending.isEmpty() && pending.peek()[0] <= now) {
                done.addLast(pending.poll());
            }
            while (!done.isEmpty() && done.peekFirst()[0] < now - window) {
                done.pollFirst();
            }
            if (done.size() < 3) {
                return option;
            }
            double[] factors = done.stream().mapToDouble(t -> t[1]).sorted().toArray();
            int n = factors.length;
            double median = n % 2 == 1 ? factors[n / 2] : (factors[n / 2 - 1] + factors[n / 2]) / 2;
            return new ReplayCatalog.CloudOption(option.model(), option.price(),
                    Duration.ofMillis(Math.round(option.latency().toMillis() * median)));
        }
    }
}
