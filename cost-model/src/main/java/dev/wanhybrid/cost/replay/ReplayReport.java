package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * The replay's results: every strategy, the offline lower bound and the highest reachable hit rate, and how far
 * each strategy is from them.
 *
 * @param traceJobs jobs in the trace
 * @param days days the trace spans
 * @param gpus GPUs in the fleet
 * @param strategies every strategy replayed: {@code router} (the gateway's routing core) first, then the baselines
 *     ({@code cheapest-feasible}, {@code density-aware}), {@code all-cloud} and {@code all-local}
 * @param bound the offline lower bound, on the run times the replay charges
 * @param breakEven the fleet's break-even for the reference video
 */
public record ReplayReport(int traceJobs, long days, int gpus, List<ReplayOutcome> strategies,
        OfflineBound.Result bound, BreakEvenResult breakEven) {

    public ReplayReport {
        strategies = List.copyOf(strategies);
    }

    public ReplayOutcome strategy(String name) {
        return strategies.stream().filter(o -> o.strategy().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no strategy named " + name));
    }

    /** The gateway's router. */
    public ReplayOutcome routed() {
        return strategy(RouterPolicy.NAME);
    }

    public ReplayOutcome allCloud() {
        return strategy("all-cloud");
    }

    public ReplayOutcome allLocal() {
        return strategy("all-local");
    }

    /** A strategy's total over the bound's total, minus one: 0.03 means 3 % above the optimum. */
    public BigDecimal gap(ReplayOutcome outcome) {
        return outcome.total().amount().divide(bound.totalCost().amount(), 6, RoundingMode.HALF_EVEN)
                .subtract(BigDecimal.ONE);
    }

    /** How many points of hit rate a strategy is below the highest reachable one (0.3 means 0.3 points). */
    public BigDecimal hitRateShortfallPoints(ReplayOutcome outcome) {
        return bound.maxHitRate().subtract(outcome.deadlineHitRate()).multiply(BigDecimal.valueOf(100));
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| Strategy | Total | Cloud spend | Local marginal | Fleet fixed | Local jobs | Local share | Deadline hit rate | GPU utilization | Above bound |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ReplayOutcome o : strategies) {
            boolean unconstrained = o.strategy().equals("all-cloud") || o.strategy().equals("all-local");
            s.append("| ").append(o.strategy()).append(" | ").append(usd(o.total())).append(" | ")
                    .append(usd(o.cloudSpend())).append(" | ").append(usd(o.localMarginal())).append(" | ")
                    .append(usd(o.fleetFixed())).append(" | ").append(o.localJobs()).append(" | ")
                    .append(percent(share(o.localJobs(), o.jobs()))).append(" | ")
                    .append(percent(o.deadlineHitRate())).append(" | ")
                    .append(percent(BigDecimal.valueOf(o.gpuUtilization()))).append(" | ")
                    .append(unconstrained ? percent(gap(o)) + "*" : percent(gap(o))).append(" |\n");
        }
        s.append("| offline bound | ").append(usd(bound.totalCost())).append(" | | | ")
                .append(usd(bound.fleetFixed())).append(" | ").append(bound.localEligible()).append(" eligible | | ")
                .append(percent(bound.maxHitRate())).append(" (highest reachable) | ")
                .append(percent(BigDecimal.valueOf(bound.gpuUtilization()))).append(" | 0% |\n");
        s.append("\nThe bound relaxes the problem: ").append(OfflineBound.RELAXES).append('\n');
        s.append("\n\\* Not under the same constraints as the bound: all-cloud has no fleet to pay for, all-local ignores ")
                .append("deadlines (see its hit rate), so either may come out below it.\n");
        return s.toString();
    }

    /**
     * The machine-readable summary: {@code {"jobs": N, "bound_usd": B, "max_hit_rate": H, "strategies": [{"name":
     * ..., "total_usd": X, "deadline_hit_rate": R, "local_jobs": L}, ...]}}, money in USD to the cent's ten-thousandth,
     * rates as fractions.
     */
    public String json() {
        StringBuilder s = new StringBuilder();
        s.append("{\"jobs\": ").append(traceJobs).append(", \"gpus\": ").append(gpus).append(", \"days\": ")
                .append(days).append(", \"bound_usd\": ").append(plain(bound.totalCost()))
                .append(", \"max_hit_rate\": ").append(bound.maxHitRate().toPlainString())
                .append(", \"strategies\": [");
        for (int i = 0; i < strategies.size(); i++) {
            ReplayOutcome o = strategies.get(i);
            s.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(o.strategy()).append("\", \"total_usd\": ")
                    .append(plain(o.total())).append(", \"deadline_hit_rate\": ")
                    .append(o.deadlineHitRate().toPlainString()).append(", \"local_jobs\": ").append(o.localJobs())
                    .append('}');
        }
        return s.append("]}\n").toString();
    }

    private static String plain(Money m) {
        return m.amount().setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static BigDecimal share(int part, int whole) {
        return whole == 0 ? BigDecimal.ZERO
                : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_EVEN);
    }

    static String usd(Money m) {
        return "$" + String.format(Locale.US, "%,.2f", m.rounded().amount());
    }

    static String percent(BigDecimal fraction) {
        return fraction.multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }
}
