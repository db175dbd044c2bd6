package dev.wanhybrid.cost.replay;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One cell of the routing matrix: a generated trace of one family against one fleet size, replayed through the
 * router, and the offline bound on the same run times. Volume scales with the fleet (jobs per GPU per day), so
 * every fleet is as loaded as the next.
 */
public final class RoutingMatrix {

    /** Seeds the router's settings were chosen on; the tests and the benchmark's check rows use other seeds. */
    public static final List<Long> TUNING_SEEDS = List.of(1L, 2L, 3L);

    /** Seeds nobody tuned on. */
    public static final List<Long> CHECK_SEEDS = List.of(1001L, 1002L, 1003L);

    /**
     * Seeds added with the deadline-spread breakdown (branch router-gap); nothing was chosen on them (2001 gave the
     * one-day hedging figures in docs/cost.md before).
     */
    public static final List<Long> FRESH_SEEDS = List.of(2001L, 2002L, 2003L);

    public static final List<Integer> FLEETS = List.of(2, 4, 8, 16);

    private static final Path CONFIG = Path.of("config/replay.yaml");

    /**
     * One cell's figures.
     *
     * @param router the gateway's router with its default settings, hedging and pre-emption on
     *     ({@link RouterPolicy#RouterPolicy()})
     * @param costGap router total over bound total minus one
     * @param hitShortfallPoints highest reachable hit rate minus the router's, in points
     * @param hedged the router with hedging and without pre-emption ({@link RouterPolicy#hedged()})
     * @param unhedged the router with neither, which keeps its margin ({@link RouterPolicy#unhedged()})
     * @param withinMargin the bound over the schedules a router without hedging can reach
     *     ({@link OfflineBound#computeWithinMargin})
     */
    public record Cell(String family, int gpus, long seed, int jobs, ReplayOutcome router, OfflineBound.Result bound,
            BigDecimal costGap, BigDecimal hitShortfallPoints, List<ReplayOutcome> baselines, ReplayOutcome hedged,
            ReplayOutcome unhedged, OfflineBound.Result withinMargin) {

        /**
         * The unhedged router's total over the bound for routers that keep their margin, minus one (the hedged ones
         * do not keep it, so that bound does not hold for them).
         */
        public BigDecimal gapWithinMargin() {
            return unhedged.total().amount().divide(withinMargin.totalCost().amount(), 6, java.math.RoundingMode.HALF_EVEN)
                    .subtract(BigDecimal.ONE);
        }

        /** How far the bound for routers that keep their margin is above the offline bound, as a fraction. */
        public BigDecimal marginCost() {
            return withinMargin.totalCost().amount().divide(bound.totalCost().amount(), 6,
                    java.math.RoundingMode.HALF_EVEN).subtract(BigDecimal.ONE);
        }

        public BigDecimal gap(ReplayOutcome o) {
            return o.total().amount().divide(bound.totalCost().amount(), 6, java.math.RoundingMode.HALF_EVEN)
                    .subtract(BigDecimal.ONE);
        }

        public BigDecimal shortfallPoints(ReplayOutcome o) {
            return bound.maxHitRate().subtract(o.deadlineHitRate()).multiply(BigDecimal.valueOf(100));
        }
    }

    private RoutingMatrix() {}

    /** The shipped replay configuration with {@code gpus} GPUs. */
    public static ReplayConfig config(int gpus) throws IOException {
        String yaml = Files.readString(CONFIG).replaceFirst("(?m)^  count: \\d+$", "  count: " + gpus);
        Path file = Files.createTempFile("replay-" + gpus + "-", ".yaml");
        try {
            Files.writeString(file, yaml);
            return ReplayConfig.load(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    public static List<TraceJob> trace(TraceGenerator.Family family, int gpus, long seed, int days, double perGpuPerDay) {
        return TraceGenerator.generate(new TraceGenerator.Settings(seed, Instant.parse("2026-10-05T00:00:00Z"), days,
                perGpuPerDay * gpus, family));
    }

    /** The trace family of that name ({@code deadline-spread}, say), for the command-line tools. */
    public static TraceGenerator.Family family(String name) {
        return TraceGenerator.Family.ALL.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no trace family " + name));
    }

    /** The simulator a cell replays on: the configuration's catalog and noise, seeded per trace seed. */
    public static ReplaySimulator simulator(ReplayConfig cfg, int gpus, long seed) {
        return new ReplaySimulator(cfg.catalog(), gpus, cfg.seed() + seed, cfg.noiseSigma(), cfg.cost().billingZone());
    }

    /** Replays one cell: the router and the bound, and with {@code baselines} also the rule variants. */
    public static Cell run(TraceGenerator.Family family, int gpus, long seed, int days, double perGpuPerDay,
            boolean baselines) throws IOException {
        return run(family, gpus, seed, days, perGpuPerDay, baselines, RouterPolicy.hedged());
    }

    /** As above, with {@code hedged} as the router with hedging only (another rescue margin, say). */
    public static Cell run(TraceGenerator.Family family, int gpus, long seed, int days, double perGpuPerDay,
            boolean baselines, RouterPolicy hedgedRouter) throws IOException {
        ReplayConfig cfg = config(gpus);
        List<TraceJob> trace = trace(family, gpus, seed, days, perGpuPerDay);
        ReplaySimulator sim = simulator(cfg, gpus, seed);
        ReplayOutcome router = sim.run(trace, new RouterPolicy());
        ReplayOutcome hedged = sim.run(trace, hedgedRouter);
        ReplayOutcome unhedged = sim.run(trace, RouterPolicy.unhedged());
        double[] runFactors = sim.runFactors(trace.size());
        OfflineBound.Result bound = OfflineBound.compute(trace, cfg.catalog(), gpus, cfg.cost().billingZone(),
                runFactors);
        OfflineBound.Result withinMargin = OfflineBound.computeWithinMargin(trace, cfg.catalog(), gpus,
                cfg.cost().billingZone(), runFactors);
        List<ReplayOutcome> others = baselines ? List.of(sim.run(trace, new CheapestFeasiblePolicy()),
                sim.run(trace, new DensityAwarePolicy(cfg.minSavingPerGpuHour())), sim.allCloud(trace)) : List.of();
        BigDecimal gap = router.total().amount().divide(bound.totalCost().amount(), 6, java.math.RoundingMode.HALF_EVEN)
                .subtract(BigDecimal.ONE);
        BigDecimal shortfall = bound.maxHitRate().subtract(router.deadlineHitRate()).multiply(BigDecimal.valueOf(100));
        return new Cell(family.name(), gpus, seed, trace.size(), router, bound, gap, shortfall, others, hedged,
                unhedged, withinMargin);
    }
}
