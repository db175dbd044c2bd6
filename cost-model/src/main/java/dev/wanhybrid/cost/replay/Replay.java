package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.breakeven.BreakEven;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/** Runs every strategy and the bound over a trace, and writes the markdown report and the charts. */
public final class Replay {

    private Replay() {}

    /**
     * Runs the gateway's routing core with its default settings ({@link RouterPolicy}), the same with hedging only and
     * with neither hedging nor pre-emption, the baselines, all-cloud, all-local and the bound.
     */
    public static ReplayReport run(ReplayConfig cfg, List<TraceJob> trace) {
        return run(cfg, trace, new RouterPolicy());
    }

    /**
     * Runs with {@code routed} as the first strategy (the gateway plugs its whole router in here), then the
     * routing core with hedging only ({@code router-hedged}), with neither hedging nor pre-emption
     * ({@code router-unhedged}), the baselines, all-cloud, all-local and the bound.
     */
    public static ReplayReport run(ReplayConfig cfg, List<TraceJob> trace, ReplayPolicy routed) {
        int gpus = cfg.cost().fleet().count();
        ReplaySimulator sim = new ReplaySimulator(cfg.catalog(), gpus, cfg.seed(), cfg.noiseSigma(),
                cfg.cost().billingZone());
        long days = ReplaySimulator.horizon(trace, cfg.cost().billingZone()).toDays();
        return new ReplayReport(trace.size(), days, gpus, List.of(
                sim.run(trace, routed),
                sim.run(trace, RouterPolicy.hedged()),
                sim.run(trace, RouterPolicy.unhedged()),
                sim.run(trace, new CheapestFeasiblePolicy()),
                sim.run(trace, new DensityAwarePolicy(cfg.minSavingPerGpuHour())),
                sim.allCloud(trace),
                sim.allLocal(trace)),
                OfflineBound.compute(trace, cfg.catalog(), gpus, cfg.cost().billingZone(),
                        sim.runFactors(trace.size())),
                BreakEven.analyze(cfg.cost().breakEvenInputs(firstDay(cfg, trace))));
    }

    private static LocalDate firstDay(ReplayConfig cfg, List<TraceJob> trace) {
        return trace.isEmpty() ? LocalDate.now(cfg.cost().billingZone())
                : trace.getFirst().arrival().atZone(cfg.cost().billingZone()).toLocalDate();
    }

    /** Videos a month the break-even's reference clip stands for: silent jobs of its kind and tier. */
    static BigDecimal observedReferencePerMonth(ReplayConfig cfg, List<TraceJob> trace, long days) {
        var ref = cfg.cost().workload().localJob();
        long n = trace.stream().filter(j -> !j.audio() && j.kind().equals("t2v")
                && Tier.ofSize(j.width(), j.height()) == ref.tier()).count();
        return BigDecimal.valueOf(n * 30).divide(BigDecimal.valueOf(Math.max(1, days)), 0, RoundingMode.HALF_EVEN);
    }

    /** Writes {@code replay.md}, {@code breakeven.png} and {@code daily-cost.png} (routed and density-aware). */
    public static String write(ReplayConfig cfg, List<TraceJob> trace, ReplayReport report, Path outDir,
            String traceName) throws IOException {
        Files.createDirectories(outDir);
        BreakEvenInputs in = cfg.cost().breakEvenInputs(firstDay(cfg, trace));
        BigDecimal observed = observedReferencePerMonth(cfg, trace, report.days());
        ReplayCharts.breakEvenChart(in, observed, outDir.resolve("breakeven.png"));
        ReplayCharts.dailyChart(report.routed(), outDir.resolve("daily-cost.png"));
        ReplayCharts.savingsChart(report.routed(), report.allCloud(), outDir.resolve("daily-savings.png"));
        ReplayCharts.dailyChart(report.strategy("density-aware"), outDir.resolve("daily-cost-density-aware.png"));
        StringBuilder md = new StringBuilder();
        md.append("# What-if replay: ").append(traceName).append("\n\n");
        md.append(report.traceJobs()).append(" jobs over ").append(report.days()).append(" days against ")
                .append(report.gpus()).append(" x ").append(cfg.cost().fleet().gpu()).append(" (")
                .append(cfg.cost().fleet().cost() instanceof dev.wanhybrid.cost.local.FleetCost.Rented ? "rented" : "owned")
                .append(", fixed ").append(ReplayReport.usd(cfg.cost().fleet().fixedCostPerYear())).append(" a year)")
                .append(" and ").append(cfg.cost().pricesSource()).append(".\n\n");
        md.append(report.markdown()).append('\n');
        md.append("The router's cost is ").append(ReplayReport.percent(report.gap(report.routed())))
                .append(" above the offline lower bound, and its deadline hit rate ")
                .append(report.hitRateShortfallPoints(report.routed()).setScale(2, java.math.RoundingMode.HALF_EVEN)
                        .toPlainString())
                .append(" points below the highest reachable; the density-aware baseline is ")
                .append(ReplayReport.percent(report.gap(report.strategy("density-aware")))).append(" above the bound.\n\n");
        md.append("![Cost against monthly volume](breakeven.png)\n\n");
        md.append("Break-even for the reference clip (").append(cfg.cost().workload().cloudJob().model()).append(" vs ")
                .append(cfg.cost().workload().localJob().model()).append(", ")
                .append(cfg.cost().workload().localJob().width()).append('x')
                .append(cfg.cost().workload().localJob().height()).append(", ")
                .append(cfg.cost().workload().localJob().seconds()).append(" s): ")
                .append(report.breakEven().perMonth().map(v -> String.format("%,d", v.longValue()) + " videos a month")
                        .orElse("never")).append("; the fleet makes ")
                .append(String.format("%,d", report.breakEven().capacityPerMonth().longValue()))
                .append(" a month; the trace has ").append(String.format("%,d", observed.longValue()))
                .append(" such videos a month.\n\n");
        md.append("![Daily cost by backend, router](daily-cost.png)\n\n");
        md.append("![Daily cost against all-cloud, savings, deadline misses and peak queue, router](daily-savings.png)\n\n");
        md.append("![Daily cost by backend, density-aware](daily-cost-density-aware.png)\n");
        Files.writeString(outDir.resolve("replay.md"), md.toString(), StandardCharsets.UTF_8);
        return md.toString();
    }
}
