package dev.wanhybrid.cost.cli;

import dev.wanhybrid.cost.breakeven.BreakEven;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import dev.wanhybrid.cost.breakeven.Recommendation;
import dev.wanhybrid.cost.breakeven.SensitivityRow;
import dev.wanhybrid.cost.config.CostConfig;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints the break-even volume, capacity, sensitivity and advice for a cost configuration. */
@Command(name = "breakeven", mixinStandardHelpOptions = true,
        description = "Monthly volume at which owning the fleet equals renting the API, and what to do.")
final class BreakEvenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "cost configuration YAML")
    Path config;

    @Option(names = "--volume", description = "observed videos per month (default: the config's workload.observed_per_month)")
    BigDecimal volume;

    @Option(names = "--date", description = "price date, yyyy-mm-dd (default: today in the billing zone)")
    LocalDate date;

    @Override
    public Integer call() throws Exception {
        CostConfig cfg = CostConfig.load(config);
        LocalDate day = date != null ? date : LocalDate.now(cfg.billingZone());
        BreakEvenInputs in = cfg.breakEvenInputs(day);
        BigDecimal observed = volume != null ? volume : cfg.workload().observedPerMonth();
        PrintWriter out = spec.commandLine().getOut();
        out.print(Reports.breakEven(cfg, in, BreakEven.analyze(in), BreakEven.recommend(in, observed),
                sensitivity(cfg, in)));
        out.flush();
        return 0;
    }

    static List<SensitivityRow> sensitivity(CostConfig cfg, BreakEvenInputs in) {
        List<Integer> sizes = in.gpus() == 0 ? List.of()
                : List.of(Math.max(1, in.gpus() / 2), in.gpus(), in.gpus() * 2);
        return BreakEven.sensitivity(in,
                List.of(new BigDecimal("0.5"), new BigDecimal("0.75"), BigDecimal.ONE, new BigDecimal("1.5")),
                List.of(new BigDecimal("0.5"), new BigDecimal("0.8"), BigDecimal.ONE),
                cfg.workload().targetUtilization(), sizes);
    }

}
