package dev.wanhybrid.cost.replay.bench;

import dev.wanhybrid.cost.replay.RoutingMatrix;
import dev.wanhybrid.cost.replay.TraceGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The routing matrix: every trace family against fleets of 2, 4, 8 and 16 GPUs, on the seeds the router's settings
 * were chosen on and on seeds nobody tuned on, the router and the baselines against the offline bound and the
 * highest reachable hit rate. Not a test: it asserts nothing, prints the table and writes it to the file given
 * (default {@code ../docs/benchmarks/routing.md}). Run from {@code cost-model}:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.wanhybrid.cost.replay.bench.RoutingBenchmark}.
 */
public final class RoutingBenchmark {

    private RoutingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/routing.md");
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double perGpu = 300;
        long began = System.nanoTime();
        StringBuilder md = new StringBuilder();
        md.append("# Routing: the router against the offline bound\n\n")
                .append("Written by `RoutingBenchmark` (cost-model tests). Each row: a generated trace of ").append(days)
                .append(" days, ").append((int) perGpu).append(" jobs a day per GPU, replayed through the router ")
                .append("(`router`, the code the gateway runs, with its default settings: hedging and pre-emption on, ")
                .append("`LocalAdmission.gatewayDefaults`) and the baselines, against the offline bound computed on ")
                .append("the same run times. *Gap* is total cost over the bound's, minus one; *short* is the highest ")
                .append("reachable deadline hit rate minus the strategy's, in points. `tune` rows use the seeds the ")
                .append("settings were chosen on (").append(RoutingMatrix.TUNING_SEEDS).append("), `check` rows seeds ")
                .append("nobody tuned on (").append(RoutingMatrix.CHECK_SEEDS).append("), `fresh` rows seeds added with ")
                .append("the deadline-spread breakdown, which nothing was set on (").append(RoutingMatrix.FRESH_SEEDS).append("). ")
                .append("*Margin bound* is the bound over the schedules a router without hedging can reach ")
                .append("(`OfflineBound.computeWithinMargin`: a job the cloud makes in time whose planned local time, ")
                .append("with the margin, is longer than its window stays on the cloud), shown as how far it is above ")
                .append("the bound; *unhedged gap in margin* is `router-unhedged`'s total over it, minus one (the ")
                .append("hedged routers do not keep the margin, so that bound does not hold for them). The router ")
                .append("pre-empts (`LocalAdmission.withPreemptibleWork`: a running job is suspended at its next ")
                .append("denoising-step boundary and resumed later, ").append(String.format(Locale.US, "%.0f",
                        dev.wanhybrid.cost.routing.LocalAdmission.DEFAULT_SUSPEND_OVERHEAD_SECONDS))
                .append(" s of GPU time a suspension) and hedges; *router-hedged* hedges without pre-empting ")
                .append("(`gateway.routing.preemption: false`); *router-unhedged* does neither (both settings false, ")
                .append("the gateway's default until stop 34).\n\n")
                .append("| family | GPUs | seeds | jobs | router gap | router short | router local | margin bound | unhedged gap in margin | router-hedged gap | router-hedged short | router-unhedged gap | router-unhedged short | cheapest-feasible gap | cheapest-feasible short | density-aware gap | density-aware short | all-cloud gap | max hit rate |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double worstGap = -1;
        double worstShort = -1;
        double worstInMargin = -1;
        double worstUnhedged = -1;
        double worstUnhedgedShort = -1;
        for (TraceGenerator.Family family : TraceGenerator.Family.ALL) {
            for (int gpus : RoutingMatrix.FLEETS) {
                for (String set : List.of("tune", "check", "fresh")) {
                    List<Long> seeds = switch (set) {
                        case "tune" -> RoutingMatrix.TUNING_SEEDS;
                        case "check" -> RoutingMatrix.CHECK_SEEDS;
                        default -> RoutingMatrix.FRESH_SEEDS;
                    };
                    List<RoutingMatrix.Cell> cells = new ArrayList<>();
                    for (long seed : seeds) {
                        cells.add(RoutingMatrix.run(family, gpus, seed, days, perGpu, true));
                    }
                    double gap = cells.stream().mapToDouble(c -> c.costGap().doubleValue()).max().orElseThrow();
                    double shortfall = cells.stream().mapToDouble(c -> c.hitShortfallPoints().doubleValue()).max()
                            .orElseThrow();
                    double inMargin = cells.stream().mapToDouble(c -> c.gapWithinMargin().doubleValue()).max()
                            .orElseThrow();
                    if (!set.equals("tune")) {
                        worstGap = Math.max(worstGap, gap);
                        worstShort = Math.max(worstShort, shortfall);
                        worstInMargin = Math.max(worstInMargin, inMargin);
                    }
                    md.append("| ").append(family.name()).append(" | ").append(gpus).append(" | ").append(set)
                            .append(" | ").append(cells.stream().mapToInt(RoutingMatrix.Cell::jobs).sum())
                            .append(" | ").append(pct(gap)).append(" | ").append(pts(shortfall)).append(" | ")
                            .append(pct(cells.stream().mapToDouble(c -> (double) c.router().localJobs() / c.jobs())
                                    .average().orElseThrow())).append(" | ");
                    md.append(pct(cells.stream().mapToDouble(c -> c.marginCost().doubleValue()).min().orElseThrow()))
                            .append(" to ").append(pct(cells.stream().mapToDouble(c -> c.marginCost().doubleValue())
                                    .max().orElseThrow())).append(" | ").append(pct(inMargin)).append(" | ");
                    md.append(pct(cells.stream().mapToDouble(c -> c.gap(c.hedged()).doubleValue()).max().orElseThrow()))
                            .append(" | ").append(pts(cells.stream().mapToDouble(c -> c.shortfallPoints(c.hedged())
                                    .doubleValue()).max().orElseThrow())).append(" | ");
                    double unhedgedGap = cells.stream().mapToDouble(c -> c.gap(c.unhedged()).doubleValue()).max()
                            .orElseThrow();
                    double unhedgedShort = cells.stream().mapToDouble(c -> c.shortfallPoints(c.unhedged())
                            .doubleValue()).max().orElseThrow();
                    md.append(pct(unhedgedGap)).append(" | ").append(pts(unhedgedShort)).append(" | ");
                    if (!set.equals("tune")) {
                        worstUnhedged = Math.max(worstUnhedged, unhedgedGap);
                        worstUnhedgedShort = Math.max(worstUnhedgedShort, unhedgedShort);
                    }
                    for (int b = 0; b < 3; b++) {
                        final int i = b;
                        double g = cells.stream().mapToDouble(c -> c.gap(c.baselines().get(i)).doubleValue()).max().orElseThrow();
                        md.append(pct(g)).append(" | ");
                        if (i < 2) {
                            double s = cells.stream().mapToDouble(c -> c.bound().maxHitRate()
                                    .subtract(c.baselines().get(i).deadlineHitRate()).doubleValue() * 100).max()
                                    .orElseThrow();
                            md.append(pts(s)).append(" | ");
                        }
                    }
                    md.append(pct(cells.stream().mapToDouble(c -> c.bound().maxHitRate().doubleValue()).min()
                            .orElseThrow())).append(" |\n");
                    System.out.print(".");
                }
            }
        }
        md.append("\nWorst over the check and fresh rows (each the worst of its seeds): router ").append(pct(worstGap))
                .append(" above the bound, ").append(pts(worstShort))
                .append(" points below the reachable hit rate; router-unhedged ").append(pct(worstUnhedged))
                .append(" above the bound, ").append(pct(worstInMargin)).append(" above the margin bound, ")
                .append(pts(worstUnhedgedShort)).append(" points below the reachable hit rate. ")
                .append("Took ").append(String.format(Locale.US, "%.0f", (System.nanoTime() - began) / 1e9))
                .append(" s.\n");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(md);
    }

    private static String pct(double fraction) {
        return String.format(Locale.US, "%.2f%%", fraction * 100);
    }

    private static String pts(double points) {
        return String.format(Locale.US, "%.2f", points);
    }
}
