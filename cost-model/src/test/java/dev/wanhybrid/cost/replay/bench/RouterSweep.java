package dev.wanhybrid.cost.replay.bench;

import dev.wanhybrid.cost.replay.RouterPolicy;
import dev.wanhybrid.cost.replay.RoutingMatrix;
import dev.wanhybrid.cost.replay.TraceGenerator;

import dev.wanhybrid.cost.routing.LocalAdmission;
import java.util.List;
import java.util.Locale;

/**
 * The router's worst gap and hit-rate shortfall per family and fleet over a seed set (300 jobs a day per GPU),
 * without the baselines: a quick comparison for a change to the routing core, tuning seeds only. Not a test. Run from
 * {@code cost-model}: {@code java -cp target/classes:target/test-classes:<deps>
 * dev.wanhybrid.cost.replay.bench.RouterSweep 1,2,3 3 [family,...|all] [rescue margin] [hedged|preempt|hedged-preempt]}
 * (seeds, days, families, the second router's rescue margin, and what the second router adds to the default one:
 * hedging, pre-emption or both; hedging when left out).
 */
public final class RouterSweep {

    private RouterSweep() {}

    public static void main(String[] args) throws Exception {
        List<Long> seeds = java.util.Arrays.stream(args[0].split(",")).map(Long::parseLong).toList();
        int days = Integer.parseInt(args[1]);
        List<String> families = args.length > 2 && !args[2].equals("all") ? List.of(args[2].split(",")) : null;
        double rescueMargin = args.length > 3 ? Double.parseDouble(args[3]) : LocalAdmission.DEFAULT_RESCUE_MARGIN;
        String second = args.length > 4 ? args[4] : "hedged";
        LocalAdmission secondRule = switch (second) {
            case "hedged" -> new LocalAdmission().withHedging(true);
            case "preempt" -> new LocalAdmission().withPreemptibleWork(true);
            case "hedged-preempt" -> new LocalAdmission().withHedging(true).withPreemptibleWork(true);
            default -> throw new IllegalArgumentException("second router: hedged, preempt or hedged-preempt, not " + second);
        };
        double worst = -1;
        for (TraceGenerator.Family family : TraceGenerator.Family.ALL) {
            if (families != null && !families.contains(family.name())) {
                continue;
            }
            for (int gpus : RoutingMatrix.FLEETS) {
                double gap = -1;
                double shortfall = -1;
                double hedged = -1;
                double hedgedShort = -1;
                for (long seed : seeds) {
                    RoutingMatrix.Cell c = RoutingMatrix.run(family, gpus, seed, days, 300, false,
                            new RouterPolicy(secondRule.withRescueMargin(rescueMargin)));
                    gap = Math.max(gap, c.costGap().doubleValue());
                    shortfall = Math.max(shortfall, c.hitShortfallPoints().doubleValue());
                    hedged = Math.max(hedged, c.gap(c.hedged()).doubleValue());
                    hedgedShort = Math.max(hedgedShort, c.shortfallPoints(c.hedged()).doubleValue());
                }
                worst = Math.max(worst, gap);
                System.out.printf(Locale.US, "%-16s %2d  router %.2f%%  short %.2f  %s %.2f%%  short %.2f%n",
                        family.name(), gpus, 100 * gap, shortfall, second, 100 * hedged, hedgedShort);
            }
        }
        System.out.printf(Locale.US, "worst %.2f%%%n", 100 * worst);
    }
}
