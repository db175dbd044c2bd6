package dev.wanhybrid.cost.replay.bench;

import dev.wanhybrid.cost.replay.OfflineBound;
import dev.wanhybrid.cost.replay.ReplayCatalog;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayOutcome;
import dev.wanhybrid.cost.replay.ReplaySimulator;
import dev.wanhybrid.cost.replay.RouterPolicy;
import dev.wanhybrid.cost.replay.RoutingMatrix;
import dev.wanhybrid.cost.replay.TraceGenerator;
import dev.wanhybrid.cost.replay.TraceJob;

import java.util.List;
import java.util.Locale;

/**
 * The router's gap above the offline bound, broken down, one line per fleet and seed (300 jobs a day per GPU): the
 * gap and the hedged router's; how much the bound rises when 5-minute jobs, or the jobs the router's margin cannot
 * plan in their window, stay on the cloud ({@link OfflineBound#computeWithinMargin}); the router over that bound;
 * and the gap in a world where every run takes exactly its prediction and the router plans without margin. Not a
 * test. Run from {@code cost-model}: {@code java -cp target/classes:target/test-classes:<deps>
 * dev.wanhybrid.cost.replay.bench.GapSummary deadline-spread 1,2,3 3} (family, seeds, days).
 */
public final class GapSummary {

    private GapSummary() {}

    public static void main(String[] args) throws Exception {
        TraceGenerator.Family family = RoutingMatrix.family(args[0]);
        List<Long> seeds = java.util.Arrays.stream(args[1].split(",")).map(Long::parseLong).toList();
        int days = Integer.parseInt(args[2]);
        System.out.println("| GPUs | seed | router gap | router-hedged gap | bound, 5-min jobs on the cloud | margin bound | router over the margin bound | exact run times: router gap (short) | router GPU use | bound GPU use |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int gpus : RoutingMatrix.FLEETS) {
            for (long seed : seeds) {
                ReplayConfig cfg = RoutingMatrix.config(gpus);
                List<TraceJob> trace = RoutingMatrix.trace(family, gpus, seed, days, 300);
                ReplaySimulator sim = RoutingMatrix.simulator(cfg, gpus, seed);
                double[] factor = sim.runFactors(trace.size());
                ReplayCatalog cat = cfg.catalog();
                ReplayOutcome router = sim.run(trace, RouterPolicy.unhedged());
                ReplayOutcome hedged = sim.run(trace, RouterPolicy.hedged());
                OfflineBound.Result full = OfflineBound.compute(trace, cat, gpus, cfg.cost().billingZone(), factor);
                double bound = cost(full);
                // A run factor no window holds keeps a job off the fleet in the bound.
                double[] f5 = factor.clone();
                for (int i = 0; i < trace.size(); i++) {
                    if (trace.get(i).deadline().toSeconds() <= 300) {
                        f5[i] = 1e9;
                    }
                }
                double no5 = cost(OfflineBound.compute(trace, cat, gpus, cfg.cost().billingZone(), f5));
                double margin = cost(OfflineBound.computeWithinMargin(trace, cat, gpus, cfg.cost().billingZone(),
                        factor));
                double r = router.total().amount().doubleValue();
                double h = hedged.total().amount().doubleValue();
                System.out.printf(Locale.US, "| %d | %d | %.2f%% | %.2f%% | +%.2f%% | +%.2f%% | %.2f%% | %s | %.1f%% | %.1f%% |%n",
                        gpus, seed, 100 * (r / bound - 1), 100 * (h / bound - 1), 100 * (no5 / bound - 1),
                        100 * (margin / bound - 1), 100 * (r / margin - 1),
                        exact(family, gpus, seed, days), 100 * router.gpuUtilization(), 100 * full.gpuUtilization());
            }
        }
    }

    private static double cost(OfflineBound.Result b) {
        return b.totalCost().amount().doubleValue();
    }

    /** Gap with exact predictions and no margin: every run takes its prediction, and the router knows it. */
    private static String exact(TraceGenerator.Family family, int gpus, long seed, int days) throws Exception {
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("config/replay.yaml"))
                .replaceFirst("(?m)^  count: \\d+$", "  count: " + gpus)
                .replaceFirst("(?m)^  risk: .*$", "  risk: 0")
                .replaceFirst("(?m)^  service_time_noise: .*$", "  service_time_noise: 0");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("replay-exact-", ".yaml");
        java.nio.file.Files.writeString(file, yaml);
        ReplayConfig cfg = ReplayConfig.load(file);
        java.nio.file.Files.delete(file);
        List<TraceJob> trace = RoutingMatrix.trace(family, gpus, seed, days, 300);
        ReplaySimulator sim = RoutingMatrix.simulator(cfg, gpus, seed);
        ReplayOutcome router = sim.run(trace, RouterPolicy.unhedged());
        OfflineBound.Result bound = OfflineBound.compute(trace, cfg.catalog(), gpus, cfg.cost().billingZone(),
                sim.runFactors(trace.size()));
        return String.format(Locale.US, "%.2f%% (%.2f)",
                100 * (router.total().amount().doubleValue() / cost(bound) - 1),
                bound.maxHitRate().subtract(router.deadlineHitRate()).doubleValue() * 100);
    }
}
