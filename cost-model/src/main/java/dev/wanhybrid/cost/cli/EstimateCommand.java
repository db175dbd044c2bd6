package dev.wanhybrid.cost.cli;

import dev.wanhybrid.cost.BackendCostEstimator;
import dev.wanhybrid.cost.CostEstimate;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.config.CostConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints what one video costs on a cloud model and on a local model. */
@Command(name = "estimate", mixinStandardHelpOptions = true, description = "Cost of one video on either backend.")
final class EstimateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "cost configuration YAML")
    Path config;

    @Option(names = "--cloud-model", defaultValue = "wan2.6-t2v")
    String cloudModel;

    @Option(names = "--local-model", defaultValue = "wan2.1-t2v-1.3b")
    String localModel;

    @Option(names = "--size", defaultValue = "832x480", description = "WxH")
    String size;

    @Option(names = "--seconds", defaultValue = "5")
    int seconds;

    @Option(names = "--audio")
    boolean audio;

    @Option(names = "--utilization", defaultValue = "0.5", description = "current local utilization, 0..1")
    double utilization;

    @Override
    public Integer call() throws Exception {
        CostConfig cfg = CostConfig.load(config);
        String[] wh = size.toLowerCase().split("[x*]");
        if (wh.length != 2) {
            throw new IllegalArgumentException("--size must look like 832x480, was " + size);
        }
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        BackendCostEstimator estimator = cfg.estimator(Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        Optional<CostEstimate> cloud = estimator.cloud(VideoJob.of(cloudModel, w, h, seconds, audio));
        out.println("cloud " + cloudModel + ": " + cloud.map(e -> e.amount().toString()).orElse("not offered"));
        Optional<CostEstimate> local = estimator.local(VideoJob.of(localModel, w, h, seconds, audio), utilization);
        out.println("local " + localModel + ": " + local.map(e -> String.format("%.0f GPU-s on %s, marginal %s, fully loaded %s",
                e.gpuSeconds(), cfg.fleet().gpu(), e.amount().withScale(6), e.fullyLoaded().withScale(4))).orElse("no throughput figure"));
        out.flush();
        return 0;
    }
}
