package dev.wanhybrid.cost.replay.bench;

import dev.wanhybrid.cost.replay.OfflineBound;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayOutcome;
import dev.wanhybrid.cost.replay.ReplaySimulator;
import dev.wanhybrid.cost.replay.RouterPolicy;
import dev.wanhybrid.cost.replay.RoutingMatrix;
import dev.wanhybrid.cost.replay.TraceGenerator;
import dev.wanhybrid.cost.replay.TraceJob;
import dev.wanhybrid.cost.routing.LocalAdmission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The router and the hedged router at several rescue margins when the cloud's real latency scatters around the
 * latency they plan on ({@link ReplaySimulator#withCloudLatencySpread}), 300 jobs a day per GPU. Per family, fleet,
 * spread and strategy: the worst of the seeds' gap over the offline bound and shortfall against the bound's highest
 * reachable hit rate (in points), and, for the hedged router, the worst of the seeds' shortfall minus the unhedged
 * router's on the same trace and draws ({@code vs router}). The bound is the usual one, on the assumed latency. Not a
 * test. Run from {@code cost-model}: {@code java -cp target/classes:target/test-classes:<deps>
 * dev.wanhybrid.cost.replay.bench.HedgeVarianceSweep 1,2,3,1001,1002,1003 3 deadline-spread,mixed 0,0.25,0.5 1,1.5,2
 * [per-job|per-hour] [learning window, minutes]} (seeds, days, families, spreads, rescue margins, how the latency
 * factor is drawn: per job, the default, or per hour of sending, {@link ReplaySimulator.CloudLatencyDraw}; and, when
 * given, the window over which the policies learn the cloud's latency from finished tasks, as the gateway does,
 * {@link ReplaySimulator#withLearnedCloudLatency}; then the cost may move with the spread).
 */
public final class HedgeVarianceSweep {

    private HedgeVarianceSweep() {}

    public static void main(String[] args) throws Exception {
        List<Long> seeds = Arrays.stream(args[0].split(",")).map(Long::parseLong).toList();
        int days = Integer.parseInt(args[1]);
        List<String> families = List.of(args[2].split(","));
        double[] sigmas = Arrays.stream(args[3].split(",")).mapToDouble(Double::parseDouble).toArray();
        double[] margins = Arrays.stream(args[4].split(",")).mapToDouble(Double::parseDouble).toArray();
        ReplaySimulator.CloudLatencyDraw draw = args.length > 5
                ? ReplaySimulator.CloudLatencyDraw.valueOf(args[5].toUpperCase(Locale.ROOT).replace('-', '_'))
                : ReplaySimulator.CloudLatencyDraw.PER_JOB;
        java.time.Duration learning = args.length > 6 ? java.time.Duration.ofMinutes(Long.parseLong(args[6])) : null;
        System.out.println("cloud latency drawn " + draw.name().toLowerCase(Locale.ROOT).replace('_', '-')
                + (learning == null ? ", planned on the catalog's" : ", learnt over " + learning.toMinutes() + " min"));
        int strategies = 1 + margins.length;
        // [family][gpus][sigma][strategy]: worst gap, worst shortfall, worst shortfall over the router's
        List<String> rows = new ArrayList<>();
        List<String> lateRows = new ArrayList<>();
        for (String familyName : families) {
            TraceGenerator.Family family = RoutingMatrix.family(familyName);
            for (int gpus : RoutingMatrix.FLEETS) {
                double[][] gap = new double[sigmas.length][strategies];
                double[][] shortfall = new double[sigmas.length][strategies];
                double[][] excess = new double[sigmas.length][strategies];
                int[][] lateMore = new int[sigmas.length][strategies];
                int jobs = 0;
                for (double[][] a : List.of(gap, shortfall, excess)) {
                    for (double[] r : a) {
                        Arrays.fill(r, Double.NEGATIVE_INFINITY);
                    }
                }
                for (long seed : seeds) {
                    ReplayConfig cfg = RoutingMatrix.config(gpus);
                    List<TraceJob> trace = RoutingMatrix.trace(family, gpus, seed, days, 300);
                    ReplaySimulator base = RoutingMatrix.simulator(cfg, gpus, seed);
                    OfflineBound.Result bound = OfflineBound.compute(trace, cfg.catalog(), gpus,
                            cfg.cost().billingZone(), base.runFactors(trace.size()));
                    double boundCost = bound.totalCost().amount().doubleValue();
                    double maxHit = bound.maxHitRate().doubleValue();
                    jobs += trace.size();
                    double[] costAtZero = new double[strategies];
                    for (int s = 0; s < sigmas.length; s++) {
                        ReplaySimulator sim = base.withCloudLatencySpread(sigmas[s], draw);
                        if (learning != null) {
                            sim = sim.withLearnedCloudLatency(learning);
                        }
                        double routerShort = 0;
                        int routerHits = 0;
                        for (int k = 0; k < strategies; k++) {
                            RouterPolicy policy = k == 0 ? RouterPolicy.unhedged()
                                    : new RouterPolicy(new LocalAdmission().withHedging(true)
                                            .withRescueMargin(margins[k - 1]));
                            ReplayOutcome o = sim.run(trace, policy);
                            double cost = o.total().amount().doubleValue();
                            if (s == 0) {
                                costAtZero[k] = cost;
                            } else if (learning == null && Math.abs(cost - costAtZero[k]) > 1e-6) {
                                throw new IllegalStateException("cost moved with the spread: " + family.name() + " "
                                        + gpus + " seed " + seed + " strategy " + k);
                            }
                            double sh = 100 * (maxHit - (double) o.deadlineHits() / o.jobs());
                            if (k == 0) {
                                routerShort = sh;
                                routerHits = o.deadlineHits();
                            }
                            lateMore[s][k] += routerHits - o.deadlineHits();
                            gap[s][k] = Math.max(gap[s][k], 100 * (cost / boundCost - 1));
                            shortfall[s][k] = Math.max(shortfall[s][k], sh);
                            excess[s][k] = Math.max(excess[s][k], sh - routerShort);
                        }
                    }
                    System.err.printf(Locale.US, "done %s %d seed %d%n", family.name(), gpus, seed);
                }
                for (int s = 0; s < sigmas.length; s++) {
                    StringBuilder row = new StringBuilder(String.format(Locale.US, "%.2f | %s | %d | %.2f%% | %.2f",
                            sigmas[s], family.name(), gpus, gap[s][0], shortfall[s][0]));
                    for (int k = 1; k < strategies; k++) {
                        row.append(String.format(Locale.US, " | %.2f%% | %.2f | %+.2f", gap[s][k], shortfall[s][k],
                                excess[s][k]));
                    }
                    rows.add(row.toString());
                    StringBuilder late = new StringBuilder(String.format(Locale.US, "%.2f | %s | %d | %d", sigmas[s],
                            family.name(), gpus, jobs));
                    for (int k = 1; k < strategies; k++) {
                        late.append(String.format(Locale.US, " | %+d", lateMore[s][k]));
                    }
                    lateRows.add(late.toString());
                }
            }
        }
        StringBuilder head = new StringBuilder("| sigma | family | GPUs | router gap | router short");
        StringBuilder rule = new StringBuilder("|---:|---|---:|---:|---:");
        for (double m : margins) {
            String n = java.math.BigDecimal.valueOf(m).stripTrailingZeros().toPlainString();
            head.append(" | hedged " + n + " gap | hedged " + n + " short | hedged " + n + " vs router");
            rule.append("|---:|---:|---:");
        }
        System.out.println(head.append(" |"));
        System.out.println(rule.append("|"));
        // One table per spread, in the order given: stable sort on the row's leading sigma.
        rows.sort(java.util.Comparator.comparingDouble(r -> Double.parseDouble(r.substring(0, r.indexOf(' ')))));
        for (String r : rows) {
            System.out.println("| " + r + " |");
        }
        System.out.println();
        StringBuilder lateHead = new StringBuilder("| sigma | family | GPUs | jobs, all seeds");
        StringBuilder lateRule = new StringBuilder("|---:|---|---:|---:");
        for (double m : margins) {
            lateHead.append(" | hedged " + java.math.BigDecimal.valueOf(m).stripTrailingZeros().toPlainString()
                    + ": late jobs over the router's");
            lateRule.append("|---:");
        }
        System.out.println(lateHead.append(" |"));
        System.out.println(lateRule.append("|"));
        lateRows.sort(java.util.Comparator.comparingDouble(r -> Double.parseDouble(r.substring(0, r.indexOf(' ')))));
        for (String r : lateRows) {
            System.out.println("| " + r + " |");
        }
    }
}
