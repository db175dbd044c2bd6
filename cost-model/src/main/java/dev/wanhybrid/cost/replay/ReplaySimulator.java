package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.GpuFleet;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Replays a trace through a policy against the fleet: a FIFO local queue served by the fleet's GPUs, one job
 * per GPU at a time, each taking its predicted GPU-seconds times a seeded log-normal factor (the same factor for
 * the same job under every strategy, so the prediction the policy sees is good but not perfect).
 */
public final class ReplaySimulator {

    private final ReplayCatalog catalog;
    private final int gpus;
    private final long seed;
    private final double noiseSigma;
    private final ZoneId zone;

    public ReplaySimulator(ReplayCatalog catalog, int gpus, long seed, double noiseSigma, ZoneId zone) {
        this.catalog = catalog;
        this.gpus = gpus;
        this.seed = seed;
        this.noiseSigma = noiseSigma;
        this.zone = zone;
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

    public ReplayOutcome run(List<TraceJob> trace, ReplayPolicy policy) {
        return simulate(trace, policy, policy.name(), true);
    }

    /** Everything on the cloud API, no fleet at all. */
    public ReplayOutcome allCloud(List<TraceJob> trace) {
        return simulate(trace, (job, view) -> new ReplayPolicy.Decision("cloud", view.cloud().orElseThrow().model(), "all_cloud"),
                "all cloud (no fleet)", false);
    }

    /** Everything the fleet can make goes local whatever the queue; only what it cannot make goes to the cloud. */
    public ReplayOutcome allLocal(List<TraceJob> trace) {
        return simulate(trace, (job, view) -> view.local().isEmpty()
                ? new ReplayPolicy.Decision("cloud", view.cloud().orElseThrow().model(), "local_cannot")
                : new ReplayPolicy.Decision("local", view.local().getFirst().model(), "all_local"),
                "all local (cloud only for what local cannot make)", true);
    }

    private ReplayOutcome simulate(List<TraceJob> trace, ReplayPolicy policy, String name, boolean withFleet) {
        GpuFleet fleet = catalog.local().fleet();
        Currency currency = fleet.currency();
        Duration horizon = horizon(trace, zone);
        Instant t0 = trace.isEmpty() ? Instant.EPOCH : trace.getFirst().arrival().atZone(zone).toLocalDate()
                .atStartOfDay(zone).toInstant();
        SplittableRandom noise = new SplittableRandom(seed);
        PriorityQueue<Double> freeAt = new PriorityQueue<>();
        for (int i = 0; i < (withFleet ? gpus : 0); i++) {
            freeAt.add(0.0);
        }
        ArrayDeque<Double> pendingStarts = new ArrayDeque<>();
        Money cloud = Money.zero(currency);
        Money marginal = Money.zero(currency);
        int local = 0;
        int hits = 0;
        double busy = 0;
        double end = horizon.toSeconds();
        SortedMap<LocalDate, Money[]> daily = new TreeMap<>();
        for (TraceJob job : trace) {
            double factor = Math.exp(noiseSigma * noise.nextGaussian());
            double now = seconds(t0, job.arrival());
            while (!pendingStarts.isEmpty() && pendingStarts.peekFirst() <= now) {
                pendingStarts.pollFirst();
            }
            List<ReplayCatalog.LocalOption> localOptions = freeAt.isEmpty() ? List.of() : catalog.localOptions(job);
            Optional<ReplayCatalog.CloudOption> cloudOption = catalog.cheapestCloud(job);
            Duration wait = freeAt.isEmpty() ? Duration.ZERO
                    : Duration.ofMillis((long) (Math.max(0, freeAt.peek() - now) * 1000));
            ReplayPolicy.Decision d = policy.decide(job, new ReplayPolicy.View(job.arrival(), wait, pendingStarts.size(),
                    withFleet ? gpus : 0, localOptions, cloudOption));
            LocalDate day = job.arrival().atZone(zone).toLocalDate();
            Money[] today = daily.computeIfAbsent(day, k -> new Money[] {Money.zero(currency), Money.zero(currency)});
            if ("local".equals(d.backend())) {
                ReplayCatalog.LocalOption option = localOptions.stream().filter(o -> o.model().equals(d.model()))
                        .findFirst().orElseThrow(() -> new IllegalStateException(name + " chose " + d.model()
                                + " for a job it cannot make: " + job));
                double service = option.gpuSeconds() * factor;
                double start = Math.max(now, freeAt.poll());
                double finish = start + service;
                freeAt.add(finish);
                if (start > now) {
                    pendingStarts.addLast(start);
                }
                Money cost = catalog.local().marginal(service);
                marginal = marginal.plus(cost);
                today[0] = today[0].plus(cost);
                // Utilization counts only the GPU time inside the trace's days; a backlog past the end is not capacity used.
                busy += Math.max(0, Math.min(finish, end) - Math.min(start, end));
                local++;
                if (finish - now <= job.deadline().toMillis() / 1000.0) {
                    hits++;
                }
            } else {
                // The policy's own cloud model is charged; a policy that names none gets the cheapest.
                ReplayCatalog.CloudOption option = (d.model() == null ? Optional.<ReplayCatalog.CloudOption>empty()
                        : catalog.cloudOption(job, d.model())).or(() -> cloudOption).orElseThrow(
                        () -> new IllegalStateException("no cloud model can make " + job));
                cloud = cloud.plus(option.price());
                today[1] = today[1].plus(option.price());
                if (option.latency().compareTo(job.deadline()) <= 0) {
                    hits++;
                }
            }
        }
        Money fixed = Money.zero(currency);
        if (withFleet && !horizon.isZero()) {
            fixed = fleet.fixedCostPerYear().times(BigDecimal.valueOf(horizon.toSeconds()))
                    .dividedBy(GpuFleet.SECONDS_PER_YEAR, 10);
            Money perDay = fleet.fixedCostPerYear().dividedBy(BigDecimal.valueOf(365), 10);
            for (LocalDate day = t0.atZone(zone).toLocalDate(); day.isBefore(t0.plus(horizon).atZone(zone).toLocalDate());
                    day = day.plusDays(1)) {
                Money[] today = daily.computeIfAbsent(day, k -> new Money[] {Money.zero(currency), Money.zero(currency)});
                today[0] = today[0].plus(perDay);
            }
        }
        SortedMap<LocalDate, List<Money>> days = new TreeMap<>();
        daily.forEach((k, v) -> days.put(k, List.of(v[0], v[1])));
        double available = withFleet ? (double) gpus * horizon.toSeconds() : 0;
        return new ReplayOutcome(name, cloud, marginal, fixed, trace.size(), local, hits, busy, available, days);
    }

    static double seconds(Instant t0, Instant t) {
        return Duration.between(t0, t).toMillis() / 1000.0;
    }

}
