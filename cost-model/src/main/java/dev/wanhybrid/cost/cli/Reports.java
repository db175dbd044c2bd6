package dev.wanhybrid.cost.cli;

import dev.wanhybrid.cost.breakeven.BreakEven;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import dev.wanhybrid.cost.breakeven.Recommendation;
import dev.wanhybrid.cost.breakeven.SensitivityRow;
import dev.wanhybrid.cost.config.CostConfig;
import java.math.BigDecimal;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;

/** Markdown renderings of the analyses, shared by the commands. */
final class Reports {

    private Reports() {}

    static String number(BigDecimal v) {
        NumberFormat f = NumberFormat.getIntegerInstance(Locale.US);
        return f.format(v);
    }

    static String breakEven(CostConfig cfg, BreakEvenInputs in, BreakEvenResult r, Recommendation rec,
            List<SensitivityRow> sensitivity) {
        StringBuilder s = new StringBuilder();
        s.append("# Break-even: owning ").append(cfg.fleet().count()).append(" x ").append(cfg.fleet().gpu())
                .append(" versus the API\n\n");
        s.append("| | |\n|---|---|\n");
        s.append("| Reference video | ").append(cfg.workload().cloudJob().model()).append(" vs local ")
                .append(cfg.workload().localJob().model()).append(", ").append(cfg.workload().cloudJob().width())
                .append('x').append(cfg.workload().cloudJob().height()).append(", ")
                .append(cfg.workload().cloudJob().seconds()).append(" s |\n");
        cfg.fleet().fixedCostItemsPerYear().forEach((item, cost) -> s.append("| Fixed per year, ").append(item)
                .append(" | ").append(cost.rounded()).append(" |\n"));
        s.append("| Fleet fixed cost per year | ").append(r.fixedPerYear().rounded()).append(" |\n");
        s.append("| Marginal cost per GPU-hour (power above idle, with cooling) | ")
                .append(cfg.fleet().marginalCostPerGpuSecond().times(BigDecimal.valueOf(3600)).withScale(4)).append(" |\n");
        s.append("| GPU-seconds per reference video (throughput model) | ")
                .append(String.format(Locale.US, "%,.0f", cfg.localCost().gpuSeconds(cfg.workload().localJob())))
                .append(" |\n");
        s.append("| Fleet fixed cost per month | ").append(in.fixedPerMonth().rounded()).append(" |\n");
        s.append("| API price per video | ").append(in.apiPerVideo()).append(" |\n");
        s.append("| Local marginal cost per video | ").append(in.marginalPerVideo().withScale(6)).append(" |\n");
        s.append("| Break-even volume per month | ").append(r.perMonth().map(Reports::number).orElse("never")).append(" |\n");
        s.append("| Break-even volume per year | ").append(r.perYear().map(Reports::number).orElse("never")).append(" |\n");
        s.append("| Break-even volume per day | ").append(r.perDay().map(Reports::number).orElse("never")).append(" |\n");
        s.append("| Fleet capacity per month (at ").append(cfg.workload().targetUtilization()).append(" utilization) | ")
                .append(number(r.capacityPerMonth())).append(" |\n");
        s.append("| Capacity check: break-even reachable with this fleet | ").append(r.withinCapacity() ? "yes" : "no")
                .append(" |\n");
        s.append("| Observed volume per month | ").append(number(rec.observedPerMonth())).append(" |\n");
        s.append("| API cost at observed volume, per month | ").append(rec.apiOnlyPerMonth().rounded()).append(" |\n");
        s.append("| Fleet + API overflow at observed volume, per month | ")
                .append(BreakEven.ownedCost(in, rec.observedPerMonth()).rounded()).append(" |\n");
        s.append("\n**Recommendation: ").append(rec.action()).append("** (").append(rec.recommendedGpus())
                .append(" GPUs). ").append(rec.explanation()).append("\n\n");
        s.append("## Sensitivity\n\n| Input | Value | Break-even videos/month | Capacity videos/month | Reachable |\n|---|---|---|---|---|\n");
        for (SensitivityRow row : sensitivity) {
            s.append("| ").append(row.parameter()).append(" | ").append(row.value()).append(" | ")
                    .append(row.breakEvenPerMonth().map(Reports::number).orElse("never")).append(" | ")
                    .append(number(row.capacityPerMonth())).append(" | ")
                    .append(row.breakEvenPerMonth().map(v -> v.compareTo(row.capacityPerMonth()) <= 0 ? "yes" : "no")
                            .orElse("no")).append(" |\n");
        }
        return s.toString();
    }
}
