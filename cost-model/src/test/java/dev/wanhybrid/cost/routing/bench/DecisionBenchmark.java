package dev.wanhybrid.cost.routing.bench;

import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.cost.routing.ServiceTime;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The routing decision's cost with the scheduler on (JMH, sample mode: the median and the tail of single
 * decisions): 30 candidates (3 local models, 27 cloud ones, as the router sees a fully stocked catalog), a plan of
 * 1,000 queued jobs on 16 GPUs and a full demand window. The baseline, measured in the same run, is the rule before
 * the scheduler: sort the 30 candidates by estimated cost and take the first. Not a test: it prints and writes
 * {@code docs/benchmarks/routing-decision.md}. Run from {@code cost-model}:
 * {@code java -cp target/classes:target/test-classes:<test classpath> dev.wanhybrid.cost.routing.bench.DecisionBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionBenchmark {

    /**
     * {@code due-last}: the job's deadline is after every queued one, so it joins the back of the plan;
     * {@code due-first}: it is due in 10 minutes, joins the front, and every queued job is re-simulated with and
     * without it to see whether it would be pushed late.
     */
    @Param({"due-last", "due-first"})
    public String scenario;

    private record Candidate(String model, boolean local, BigDecimal cost, double seconds) {}

    private final LocalAdmission admission = new LocalAdmission();
    private LocalSchedule plan;
    private DemandWindow demand;
    private List<Candidate> candidates;
    private double now;
    private double deadline;
    private long id = 1_000_000;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(14);
        now = 86_400;
        plan = new LocalSchedule(16);
        for (int g = 0; g < 16; g++) {
            plan.putRunning(g, new LocalSchedule.Job(-1 - g, now + 3600, new ServiceTime(240, 324)), now - r.nextDouble() * 240);
        }
        for (int i = 0; i < 1000; i++) {
            double expected = r.nextDouble() < 0.8 ? 240 : 2600;
            // Deadlines spread over two days, loose enough for the plan to hold them all.
            plan.enqueue(new LocalSchedule.Job(i, now + 40_000 + r.nextDouble() * 130_000,
                    new ServiceTime(expected, expected * 1.35)));
        }
        demand = new DemandWindow();
        for (int i = 0; i < 4096; i++) {
            demand.record(now - 7000 + i * 1.7, r.nextDouble() * 4e-4, 240 + r.nextDouble() * 5000);
        }
        candidates = new ArrayList<>();
        candidates.add(new Candidate("wan2.1-t2v-1.3b", true, new BigDecimal("0.0059"), 240));
        candidates.add(new Candidate("wan2.2-ti2v-5b", true, new BigDecimal("0.0130"), 540));
        candidates.add(new Candidate("wan2.1-t2v-14b", true, new BigDecimal("0.0630"), 2600));
        for (int i = 0; i < 27; i++) {
            candidates.add(new Candidate("cloud-" + i, false, new BigDecimal("0.10").add(BigDecimal.valueOf(i, 3)),
                    180 + i));
        }
        deadline = scenario.equals("due-last") ? 172_800 : 600;
    }

    /** The decision with the scheduler: cheapest cloud of the candidates, then the routing core. */
    @Benchmark
    public LocalAdmission.Verdict scheduled() {
        List<LocalAdmission.LocalOption> local = new ArrayList<>(3);
        Candidate cheapestCloud = null;
        for (Candidate c : candidates) {
            if (c.local()) {
                local.add(new LocalAdmission.LocalOption(c.model(), new ServiceTime(c.seconds(), c.seconds() * 1.35),
                        c.cost()));
            } else if (cheapestCloud == null || c.cost().compareTo(cheapestCloud.cost()) < 0) {
                cheapestCloud = c;
            }
        }
        Candidate cloud = cheapestCloud;
        // A fresh id per call: the plan is only read, the job is never enqueued.
        return admission.decide(id++, now, deadline, local,
                Optional.of(new LocalAdmission.CloudOption(cloud.model(), cloud.cost(), cloud.seconds())), plan, demand);
    }

    /** The rule before the scheduler: the cheapest candidate by estimate. */
    @Benchmark
    public Candidate cheapestOnly() {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparing(Candidate::cost).thenComparingDouble(Candidate::seconds));
        return sorted.getFirst();
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/routing-decision.md");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(DecisionBenchmark.class.getName() + "\\.")
                .jvmArgsAppend("-Xmx512m")
                .build()).run();
        StringBuilder md = new StringBuilder("# Routing decision: time per decision (JMH)\n\n")
                .append("Written by `DecisionBenchmark` (cost-model tests): 30 candidates (3 local, 27 cloud), a plan ")
                .append("of 1,000 queued jobs on 16 GPUs, a full demand window (4,096 arrivals). `scheduled` is the ")
                .append("routing core's decision (cheapest cloud, admission simulation of the plan, shadow price); ")
                .append("`cheapestOnly` is the rule before the scheduler, measured in the same run. Scenario ")
                .append("`due-last`: the job is due after every queued one and joins the back of the plan; `due-first`: ")
                .append("it is due in 10 minutes, joins the front, and every queued job is simulated with and without ")
                .append("it. JMH sample mode, 1 fork, 3 x 1 s warm-up, 5 x 1 s measured, ")
                .append("on this machine (2 shared cores).\n\n")
                .append("| benchmark | scenario | median us | p99 us | median / cheapestOnly |\n|---|---|---:|---:|---:|\n");
        double[] baseline = new double[1];
        results.stream().filter(r -> r.getParams().getBenchmark().endsWith("cheapestOnly")).findFirst()
                .ifPresent(r -> baseline[0] = r.getPrimaryResult().getStatistics().getPercentile(50));
        for (RunResult r : results) {
            var stats = r.getPrimaryResult().getStatistics();
            String name = r.getParams().getBenchmark();
            md.append("| ").append(name.substring(name.lastIndexOf('.') + 1)).append(" | ")
                    .append(r.getParams().getParam("scenario")).append(" | ")
                    .append(String.format(Locale.US, "%.2f", stats.getPercentile(50))).append(" | ")
                    .append(String.format(Locale.US, "%.2f", stats.getPercentile(99))).append(" | ")
                    .append(baseline[0] > 0 ? String.format(Locale.US, "%.1fx", stats.getPercentile(50) / baseline[0]) : "")
                    .append(" |\n");
        }
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
    }
}
