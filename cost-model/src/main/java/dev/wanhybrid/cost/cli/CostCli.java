package dev.wanhybrid.cost.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tool: {@code breakeven}, {@code estimate}, {@code generate-trace} and {@code replay}.
 *
 * <p>Run with {@code ./mvnw -q -pl cost-model exec:java -Dexec.args="breakeven --config cost-model/config/breakeven-low.yaml"}.
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = "Video cost model: break-even, estimates, workload traces and the what-if replay.",
        subcommands = {BreakEvenCommand.class, EstimateCommand.class, GenerateTraceCommand.class, ReplayCommand.class})
public final class CostCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code, so tests can call it without ending the JVM. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line; bad input is reported as one line naming the problem, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new CostCli()).setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().flush();
            return 2;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
