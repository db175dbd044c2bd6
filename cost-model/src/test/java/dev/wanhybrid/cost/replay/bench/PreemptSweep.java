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
import java.util.List;
import java.util.Locale;

/**
 * Pre-emption with resume (branch router-preempt), per cell: the router and the hedged router without and with
 * pre-emption ({@link LocalAdmission#withPreemption}) at each suspend overhead asked for, their gaps over the
 * offline bound, hit-rate shortfalls, and how many runs were suspended. Not a test. Run from {@code cost-model}:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.wanhybrid.cost.replay.bench.PreemptSweep 1,2,3
 * deadline-spread 2,4 5,30 [ab|a|b]} (seeds, families or {@code all}, fleets, overheads in GPU-seconds, which
 * rules: suspension and window pricing together, suspension alone, window pricing alone; 3 days, 300 jobs a day per
 * GPU).
 */
public final class PreemptSweep {

    private PreemptSweep() {}

    public static void main(String[] args) throws Exception {
        List<Long> seeds = java.util.Arrays.stream(args[0].split(",")).map(Long::parseLong).toList();
        List<String> families = args.length > 1 && !args[1].equals("all") ? List.of(args[1].split(",")) : null;
        List<Integer> fleets = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).map(Integer::parseInt)
                .toList() : RoutingMatrix.FLEETS;
        List<Double> overheads = args.length > 3 ? java.util.Arrays.stream(args[3].split(","))
                .map(Double::parseDouble).toList() : List.of(LocalAdmission.DEFAULT_SUSPEND_OVERHEAD_SECONDS);
        String mode = args.length > 4 ? args[4] : "ab";
        java.util.function.UnaryOperator<LocalAdmission> rule = switch (mode) {
            case "ab" -> a -> a.withPreemptibleWork(true);
            case "a" -> a -> a.withPreemption(true);
            case "b" -> a -> a.withWindowPricing(true);
            default -> throw new IllegalArgumentException("rules: ab, a or b, was " + mode);
        };
        List<String> names = new ArrayList<>(List.of("router", "hedged"));
        List<LocalAdmission> rules = new ArrayList<>(List.of(new LocalAdmission(),
                new LocalAdmission().withHedging(true)));
        for (double o : overheads) {
            names.add(String.format(Locale.US, "router+p%.0f", o));
            rules.add(rule.apply(new LocalAdmission()).withSuspendOverhead(o));
            names.add(String.format(Locale.US, "hedged+p%.0f", o));
            rules.add(rule.apply(new LocalAdmission().withHedging(true)).withSuspendOverhead(o));
        }
        int k = rules.size();
        System.out.println("rules: " + mode + "; columns: " + String.join(" | ", names) + "  (gap % (shortfall points) [suspensions at admission + at a queued job's latest start])");
        for (TraceGenerator.Family family : TraceGenerator.Family.ALL) {
            if (families != null && !families.contains(family.name())) {
                continue;
            }
            for (int gpus : fleets) {
                double[] worstGap = new double[k];
                double[] worstShort = new double[k];
                java.util.Arrays.fill(worstGap, -1e9);
                java.util.Arrays.fill(worstShort, -1e9);
                for (long seed : seeds) {
                    ReplayConfig cfg = RoutingMatrix.config(gpus);
                    List<TraceJob> trace = RoutingMatrix.trace(family, gpus, seed, 3, 300);
                    ReplaySimulator sim = RoutingMatrix.simulator(cfg, gpus, seed);
                    OfflineBound.Result bound = OfflineBound.compute(trace, cfg.catalog(), gpus,
                            cfg.cost().billingZone(), sim.runFactors(trace.size()));
                    double b = bound.totalCost().amount().doubleValue();
                    StringBuilder line = new StringBuilder(String.format(Locale.US, "%-16s %2d %5d:", family.name(),
                            gpus, seed));
                    for (int r = 0; r < k; r++) {
                        ReplayOutcome o = sim.run(trace, new RouterPolicy(rules.get(r)));
                        double gap = 100 * (o.total().amount().doubleValue() / b - 1);
                        double shortfall = bound.maxHitRate().subtract(o.deadlineHitRate()).doubleValue() * 100;
                        worstGap[r] = Math.max(worstGap[r], gap);
                        worstShort[r] = Math.max(worstShort[r], shortfall);
                        line.append(String.format(Locale.US, " %s %.2f%% (%.2f)", names.get(r), gap, shortfall));
                        if (r >= 2) {
                            line.append(" [").append(o.suspensionsForArrivals()).append('+')
                                    .append(o.suspensionsForLatestStarts()).append(']');
                        }
                        line.append(r + 1 < k ? " |" : "");
                    }
                    System.out.println(line);
                }
                StringBuilder w = new StringBuilder(String.format(Locale.US, "%-16s %2d worst:", family.name(), gpus));
                for (int r = 0; r < k; r++) {
                    w.append(String.format(Locale.US, " %s %.2f%% (%.2f)%s", names.get(r), worstGap[r], worstShort[r],
                            r + 1 < k ? " |" : ""));
                }
                System.out.println(w);
            }
        }
    }
}
