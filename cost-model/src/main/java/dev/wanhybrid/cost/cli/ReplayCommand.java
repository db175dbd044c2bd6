package dev.wanhybrid.cost.cli;

import dev.wanhybrid.cost.replay.Replay;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.replay.ReplayReport;
import dev.wanhybrid.cost.replay.Trace;
import dev.wanhybrid.cost.replay.TraceJob;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Replays a trace through the gateway's routing core (strategy {@code router}), the baselines, all-cloud and
 * all-local, next to the offline bound; prints the report and writes it with the charts ({@code --out}) and as
 * JSON ({@code --json}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Routed, all-cloud, all-local and offline-optimal cost of a trace; writes replay.md and PNG charts.")
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true)
    Path config;

    @Option(names = "--trace", required = true)
    Path trace;

    @Option(names = "--out", description = "folder for replay.md and the charts")
    Path out;

    @Option(names = "--json", description = "file for the machine-readable summary: jobs, bound_usd, max_hit_rate, "
            + "and per strategy name, total_usd, deadline_hit_rate, local_jobs (the gateway's router is \"router\")")
    Path json;

    @Override
    public Integer call() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(config);
        List<TraceJob> jobs = Trace.read(trace);
        if (out == null && json == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --out, --json or both");
        }
        ReplayReport report = Replay.run(cfg, jobs);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            java.nio.file.Files.writeString(json, report.json());
        }
        String md = out != null ? Replay.write(cfg, jobs, report, out, trace.getFileName().toString())
                : report.markdown();
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
