package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;

/**
 * The replay's results: every strategy, the offline lower bound, and how far the routed cost is from it.
 *
 * @param traceJobs jobs in the trace
 * @param days days the trace spans
 * @param gpus GPUs in the fleet
 * @param routed the gateway router's rules
 * @param improved the router's rules with density-aware local admission
 * @param allCloud everything on the API
 * @param allLocal everything the fleet can make on the fleet
 * @param bound the offline lower bound
 * @param breakEven the fleet's break-even for the reference video
 */
public record ReplayReport(int traceJobs, long days, int gpus, ReplayOutcome routed, ReplayOutcome improved,
        ReplayOutcome allCloud, ReplayOutcome allLocal, OfflineBound.Result bound, BreakEvenResult breakEven) {

    /** Routed total over the bound's total, minus one: 0.03 means 3 % above the optimum. */
    public BigDecimal gap(ReplayOutcome outcome) {
        return outcome.total().amount().divide(bound.totalCost().amount(), 6, RoundingMode.HALF_EVEN)
                .subtract(BigDecimal.ONE);
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| Strategy | Total | Cloud spend | Local marginal | Fleet fixed | Local jobs | Deadline hit rate | GPU utilization | Above bound |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ReplayOutcome o : List.of(routed, improved, allCloud, allLocal)) {
            s.append("| ").append(o.strategy()).append(" | ").append(usd(o.total())).append(" | ")
                    .append(usd(o.cloudSpend())).append(" | ").append(usd(o.localMarginal())).append(" | ")
                    .append(usd(o.fleetFixed())).append(" | ").append(o.localJobs()).append(" | ")
                    .append(percent(o.deadlineHitRate())).append(" | ")
                    .append(percent(BigDecimal.valueOf(o.gpuUtilization()))).append(" | ")
                    .append(o == allCloud || o == allLocal ? percent(gap(o)) + "*" : percent(gap(o))).append(" |\n");
        }
        s.append("| offline optimum (lower bound) | ").append(usd(bound.totalCost())).append(" | | | ")
                .append(usd(bound.fleetFixed())).append(" | ").append(bound.localEligible()).append(" eligible | 100% | ")
                .append(percent(BigDecimal.valueOf(bound.gpuUtilization()))).append(" | 0% |\n");
        s.append("\n\\* Not under the same constraints as the bound: all-cloud has no fleet to pay for, all-local ignores ")
                .append("deadlines (see its hit rate), so either may come out below it.\n");
        return s.toString();
    }

    static String usd(Money m) {
        return "$" + String.format(Locale.US, "%,.2f", m.rounded().amount());
    }

    static String percent(BigDecimal fraction) {
        return fraction.multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }
}
