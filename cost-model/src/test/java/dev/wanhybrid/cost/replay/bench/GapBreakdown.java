package dev.wanhybrid.cost.replay.bench;

import dev.wanhybrid.cost.replay.OfflineBound;
import dev.wanhybrid.cost.replay.ReplayCatalog;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayOutcome;
import dev.wanhybrid.cost.replay.ReplayPolicy;
import dev.wanhybrid.cost.replay.ReplaySimulator;
import dev.wanhybrid.cost.replay.RouterPolicy;
import dev.wanhybrid.cost.replay.RoutingMatrix;
import dev.wanhybrid.cost.replay.TraceGenerator;
import dev.wanhybrid.cost.replay.TraceJob;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the router's cost above the offline bound comes from, for one trace: per class of job (deadline, local
 * model, size) how many could run locally on their real run time and on the router's plan, how many the router ran
 * locally and what they saved; the router's decisions by reason; and how much the bound rises when a deadline class,
 * the jobs the margin cannot plan, or all 14B work stay on the cloud. Not a test. Run from {@code cost-model}:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.wanhybrid.cost.replay.bench.GapBreakdown
 * deadline-spread 1 3 2 8} (family, seed, days, fleet sizes).
 */
public final class GapBreakdown {

    private GapBreakdown() {}

    public static void main(String[] args) throws Exception {
        TraceGenerator.Family family = RoutingMatrix.family(args[0]);
        long seed = Long.parseLong(args[1]);
        int days = Integer.parseInt(args[2]);
        for (int a = 3; a < args.length; a++) {
            cell(family, Integer.parseInt(args[a]), seed, days);
        }
    }

    static void cell(TraceGenerator.Family family, int gpus, long seed, int days) throws Exception {
        ReplayConfig cfg = RoutingMatrix.config(gpus);
        List<TraceJob> trace = RoutingMatrix.trace(family, gpus, seed, days, 300);
        ReplaySimulator sim = RoutingMatrix.simulator(cfg, gpus, seed);
        double[] factor = sim.runFactors(trace.size());
        ReplayCatalog cat = cfg.catalog();
        String[] decided = new String[trace.size()];
        RouterPolicy inner = RouterPolicy.unhedged();
        ReplayPolicy spy = new ReplayPolicy() {
            @Override
            public Decision decide(TraceJob job, View view) {
                Decision d = inner.decide(job, view);
                decided[(int) view.id()] = d.backend() + ":" + d.reason() + ":" + d.model();
                return d;
            }

            @Override
            public boolean readsLocalWait() {
                return false;
            }

            @Override
            public String name() {
                return RouterPolicy.UNHEDGED;
            }
        };
        ReplayOutcome router = sim.run(trace, spy);
        OfflineBound.Result bound = OfflineBound.compute(trace, cat, gpus, cfg.cost().billingZone(), factor);
        double allCloud = 0;
        for (TraceJob j : trace) {
            allCloud += cat.cheapestCloud(j).orElseThrow().price().amount().doubleValue();
        }
        double fixed = bound.fleetFixed().amount().doubleValue();
        System.out.printf(Locale.US, "%n== %s seed %d, %d GPUs, %d days, %d jobs: router %.2f, bound %.2f, gap %.2f%%, "
                + "all-cloud variable %.2f, fixed %.2f%n", family.name(), seed, gpus, days, trace.size(),
                router.total().amount().doubleValue(), bound.totalCost().amount().doubleValue(),
                100 * (router.total().amount().doubleValue() / bound.totalCost().amount().doubleValue() - 1),
                allCloud, fixed);
        System.out.printf(Locale.US, "router: util %.1f%%, local %d, hits %s; bound util %.1f%%, max hits %s%n",
                100 * router.gpuUtilization(), router.localJobs(), router.deadlineHitRate(),
                100 * bound.gpuUtilization(), bound.maxHitRate());
        // Router savings by deadline class and model, on the run times charged.
        Map<String, double[]> byKey = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (int i = 0; i < trace.size(); i++) {
            TraceJob j = trace.get(i);
            String dl = dlClass(j.deadline());
            reasons.merge(dl + " " + decided[i].replaceAll(":[^:]*$", ""), 1, Integer::sum);
            List<ReplayCatalog.LocalOption> opts = cat.localOptions(j);
            if (opts.isEmpty()) {
                continue;
            }
            ReplayCatalog.LocalOption best = opts.getFirst();
            double p = best.gpuSeconds() * factor[i];
            double price = cat.cheapestCloud(j).orElseThrow().price().amount().doubleValue();
            double saving = price - cat.local().marginal(p).amount().doubleValue();
            String key = dl + " " + best.model() + " " + j.height() + "x" + j.width();
            double[] row = byKey.computeIfAbsent(key, k -> new double[8]);
            row[0]++; // eligible (a local option)
            row[1] += p <= j.deadline().toSeconds() && saving > 0 ? 1 : 0; // fits its window alone on real time
            row[2] += best.time().pessimisticSeconds() <= j.deadline().toSeconds() ? 1 : 0; // router can plan it
            if (decided[i].startsWith("local")) {
                row[3]++;
                row[4] += saving; // (model is the first option in practice)
                row[5] += p;
            }
            row[6] += Math.max(0, saving); // all of its saving if every such job ran here
            row[7] += p;
        }
        System.out.println("class (deadline, model, size): jobs, fit-real, fit-planned, router-local, router saving $, router GPU-h, potential saving $, GPU-h needed");
        byKey.forEach((k, r) -> System.out.printf(Locale.US, "  %-34s %6.0f %6.0f %6.0f %6.0f %9.2f %8.1f %9.2f %8.1f%n",
                k, r[0], r[1], r[2], r[3], r[4], r[5] / 3600, r[6], r[7] / 3600));
        System.out.println("router decisions: " + reasons);
        // The bound's savings, attributed to deadline classes: classes keyed by density, then deadline.
        double boundSaving = allCloud + fixed - bound.totalCost().amount().doubleValue();
        double routerSaving = allCloud + fixed - router.total().amount().doubleValue();
        System.out.printf(Locale.US, "savings vs all cloud: bound %.2f, router %.2f, difference %.2f%n", boundSaving,
                routerSaving, boundSaving - routerSaving);
        for (String dl : List.of("5m", "15m", "2h", "48h", "10m", "1h", "24h")) {
            double[] f = factor.clone();
            boolean any = false;
            for (int i = 0; i < trace.size(); i++) {
                if (dlClass(trace.get(i).deadline()).equals(dl)) {
                    f[i] = 1e9;
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            OfflineBound.Result b = OfflineBound.compute(trace, cat, gpus, cfg.cost().billingZone(), f);
            System.out.printf(Locale.US, "  bound with %s jobs kept off the fleet: +%.2f (%.2f%% of the bound)%n", dl,
                    b.totalCost().amount().doubleValue() - bound.totalCost().amount().doubleValue(),
                    100 * (b.totalCost().amount().doubleValue() / bound.totalCost().amount().doubleValue() - 1));
        }
        OfflineBound.Result margin = OfflineBound.computeWithinMargin(trace, cat, gpus, cfg.cost().billingZone(),
                factor);
        System.out.printf(Locale.US, "  margin bound (jobs the margin cannot plan stay on the cloud): +%.2f (%.2f%%); router %.2f%% above it%n",
                margin.totalCost().amount().doubleValue() - bound.totalCost().amount().doubleValue(),
                100 * (margin.totalCost().amount().doubleValue() / bound.totalCost().amount().doubleValue() - 1),
                100 * (router.total().amount().doubleValue() / margin.totalCost().amount().doubleValue() - 1));
        double[] g = factor.clone();
        for (int i = 0; i < trace.size(); i++) {
            List<ReplayCatalog.LocalOption> opts = cat.localOptions(trace.get(i));
            if (!opts.isEmpty() && opts.getFirst().model().contains("14b")) {
                g[i] = 1e9;
            }
        }
        OfflineBound.Result no14 = OfflineBound.computeWithinMargin(trace, cat, gpus, cfg.cost().billingZone(), g);
        System.out.printf(Locale.US, "  margin bound with 14B work on the cloud as well: %.2f; router %.2f%% above it%n",
                no14.totalCost().amount().doubleValue(),
                100 * (router.total().amount().doubleValue() / no14.totalCost().amount().doubleValue() - 1));
    }

    static String dlClass(Duration d) {
        long s = d.toSeconds();
        return s <= 300 ? "5m" : s <= 600 ? "10m" : s <= 900 ? "15m" : s <= 3600 ? "1h" : s <= 7200 ? "2h"
                : s <= 86_400 ? "24h" : "48h";
    }
}
