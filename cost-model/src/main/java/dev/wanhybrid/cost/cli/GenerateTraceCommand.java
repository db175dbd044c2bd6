package dev.wanhybrid.cost.cli;

import dev.wanhybrid.cost.replay.Trace;
import dev.wanhybrid.cost.replay.TraceGenerator;
import dev.wanhybrid.cost.replay.TraceJob;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Writes a seeded synthetic workload trace as CSV. */
@Command(name = "generate-trace", mixinStandardHelpOptions = true,
        description = "Seeded synthetic workload: daily cycle, weekends, bursts, audio/silent mix.")
final class GenerateTraceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "20261001")
    long seed;

    @Option(names = "--start", defaultValue = "2026-10-01T00:00:00Z")
    Instant start;

    @Option(names = "--days", defaultValue = "30")
    int days;

    @Option(names = "--per-day", defaultValue = "1850", description = "weekday mean of the daily cycle")
    double perDay;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() throws Exception {
        List<TraceJob> jobs = TraceGenerator.generate(new TraceGenerator.Settings(seed, start, days, perDay));
        Trace.write(out, jobs);
        spec.commandLine().getOut().println("wrote " + jobs.size() + " jobs to " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
