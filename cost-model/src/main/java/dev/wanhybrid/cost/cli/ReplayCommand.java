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

/** Replays a trace through the routing rules and prints and writes the report and charts. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Routed, all-cloud, all-local and offline-optimal cost of a trace; writes replay.md and PNG charts.")
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true)
    Path config;

    @Option(names = "--trace", required = true)
    Path trace;

    @Option(names = "--out", required = true, description = "folder for replay.md and the charts")
    Path out;

    @Override
    public Integer call() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(config);
        List<TraceJob> jobs = Trace.read(trace);
        ReplayReport report = Replay.run(cfg, jobs);
        String md = Replay.write(cfg, jobs, report, out, trace.getFileName().toString());
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
