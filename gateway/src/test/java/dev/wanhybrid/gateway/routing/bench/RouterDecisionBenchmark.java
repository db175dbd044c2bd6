package dev.wanhybrid.gateway.routing.bench;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import dev.wanhybrid.gateway.routing.BackendHealth;
import dev.wanhybrid.gateway.routing.CloudLatencyTracker;
import dev.wanhybrid.gateway.routing.LocalPlanState;
import dev.wanhybrid.gateway.routing.NoRouteException;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.Router;
import dev.wanhybrid.gateway.routing.RoutingContext;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The gateway's whole {@link Router} decision with the scheduler on: 30 catalog models (the shipped 13 and 17 more
 * cloud entries), a plan of 1,000 queued jobs on 16 GPUs, a full demand window, 2,000 recent cloud tasks (the
 * latency tracker's snapshot, taken for each decision as the planner takes it), a silent 480p clip due in an hour.
 * The baseline, measured in the same run, is the same decision without the plan (the router before the scheduler).
 * Not a test: it prints and writes {@code docs/benchmarks/router-decision.md}. Run from {@code gateway} with the test
 * classpath: {@code java -cp target/classes:target/test-classes:<deps> dev.wanhybrid.gateway.routing.bench.RouterDecisionBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterDecisionBenchmark {

    private final Router router = new Router();
    private GenerationSpec spec;
    private ModelCatalog catalog;
    private CostModelEstimator costs;
    private LocalSchedule plan;
    private DemandWindow demand;
    private CloudLatencyTracker latency;
    private final LocalAdmission admission = new LocalAdmission();
    /** {@code gateway.routing.hedging} and {@code gateway.routing.preemption} on. */
    private final LocalAdmission preempting = new LocalAdmission().withHedging(true).withPreemptibleWork(true);
    private GenerationSpec urgent;
    private Instant now;
    private long id = 1_000_000;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(14);
        List<CatalogModel> models = new ArrayList<>(CatalogFixtures.shipped().models());
        List<CatalogModel> cloud = models.stream().filter(m -> !m.isLocal()).toList();
        for (int i = 0; models.size() < 30; i++) {
            CatalogModel m = cloud.get(i % cloud.size());
            models.add(new CatalogModel(m.id() + "-copy" + i, m.backend(), m.kinds(), m.seconds(), m.defaultSeconds(),
                    m.fps(), m.audio(), m.quality(), m.defaultSize(), m.tiers(), m.loras()));
        }
        catalog = new ModelCatalog(models);
        LocalCostModel local = new LocalCostModel(new GpuFleet("rtx4090", 16, new FleetCost.Owned(Money.usd("3000"),
                new BigDecimal("3"), new BigDecimal("450"), new BigDecimal("80"), Money.usd("0.15"),
                new BigDecimal("1.3"), Money.usd("6000"), Money.usd("2400"))), LocalConfigLoader.defaultThroughput());
        costs = CostModelEstimator.withServiceTimes(null, Region.INTERNATIONAL, ServiceTimeModel.withDefaults(local),
                Clock.systemUTC());
        now = Instant.parse("2026-10-05T15:00:00Z");
        double clock = now.toEpochMilli() / 1000.0;
        plan = new LocalSchedule(16);
        for (int g = 0; g < 16; g++) {
            plan.putRunning(g, new LocalSchedule.Job(-1 - g, clock + 3600, new ServiceTime(240, 324)),
                    clock - r.nextDouble() * 240);
        }
        for (int i = 0; i < 1000; i++) {
            double expected = r.nextDouble() < 0.8 ? 240 : 2600;
            plan.enqueue(new LocalSchedule.Job(i, clock + 40_000 + r.nextDouble() * 130_000,
                    new ServiceTime(expected, expected * 1.35)));
        }
        demand = new DemandWindow();
        for (int i = 0; i < 4096; i++) {
            demand.record(clock - 7000 + i * 1.7, r.nextDouble() * 4e-4, 240 + r.nextDouble() * 5000);
        }
        // Recent cloud tasks, as a busy gateway has them: 2,000 finished in the window, spread over the cloud models.
        latency = new CloudLatencyTracker(Clock.fixed(now, java.time.ZoneOffset.UTC), Duration.ofMinutes(30), 3,
                4096);
        for (int i = 0; i < 2000; i++) {
            latency.record(cloud.get(i % cloud.size()).id(), Duration.ofSeconds(60 + r.nextInt(600)), 5);
        }
        spec = new GenerationSpec("acme", GenerationSpec.AUTO_MODEL, TaskKind.T2V, "a cat", null,
                new VideoSize(832, 480), 5, null, null, AudioSpec.NONE, null,
                new RoutingHints(null, RoutingHints.Objective.COST, null, Duration.ofHours(1), false));
        // Due in 330 s: every GPU busy, so the core tries hedging and suspending runs (a copy of the plan per try).
        urgent = new GenerationSpec("acme", GenerationSpec.AUTO_MODEL, TaskKind.T2V, "a cat", null,
                new VideoSize(832, 480), 5, null, null, AudioSpec.NONE, null,
                new RoutingHints(null, RoutingHints.Objective.COST, null, Duration.ofSeconds(330), false));
    }

    private RoutingContext context(boolean scheduler) {
        return context(scheduler ? admission : null);
    }

    private RoutingContext context(LocalAdmission rule) {
        return new RoutingContext(catalog, Map.of("local", BackendHealth.up("local"), "cloud", BackendHealth.up("cloud")),
                new LocalQueueState(1000, 16, 16, 0, Duration.ofMinutes(5)), latency.snapshot(), costs, Map.of(),
                now, rule != null ? new LocalPlanState(plan, demand, rule, now.toEpochMilli() / 1000.0, id++) : null);
    }

    /** The same decision with hedging and pre-emption on. */
    @Benchmark
    public Route withPreemption() throws NoRouteException {
        return router.decide(spec, context(preempting));
    }

    /** A clip due in 330 s with hedging and pre-emption on: the core's longest path. */
    @Benchmark
    public Route withPreemptionDueSoon() throws NoRouteException {
        return router.decide(urgent, context(preempting));
    }

    /** The clip due in 330 s with the default rule. */
    @Benchmark
    public Route withSchedulerDueSoon() throws NoRouteException {
        return router.decide(urgent, context(admission));
    }

    @Benchmark
    public Route withScheduler() throws NoRouteException {
        return router.decide(spec, context(true));
    }

    @Benchmark
    public Route withoutScheduler() throws NoRouteException {
        return router.decide(spec, context(false));
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/router-decision.md");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(RouterDecisionBenchmark.class.getName() + "\\.").jvmArgsAppend("-Xmx512m").build()).run();
        double baseline = results.stream().filter(r -> r.getParams().getBenchmark().endsWith("withoutScheduler"))
                .findFirst().map(r -> r.getPrimaryResult().getStatistics().getPercentile(50)).orElse(Double.NaN);
        StringBuilder md = new StringBuilder("# Router decision with the scheduler (JMH)\n\n")
                .append("Written by `RouterDecisionBenchmark` (gateway tests): the gateway's whole `Router.decide` for a ")
                .append("silent 480p clip due in an hour, 30 catalog models, a plan of 1,000 queued jobs on 16 GPUs and a ")
                .append("full demand window (4,096 arrivals), and the cloud latency tracker's snapshot of 2,000 recent ")
                .append("cloud tasks, taken for each decision as the planner takes it. `withoutScheduler` is the same ")
                .append("decision with no plan (cost ")
                .append("order only), measured in the same run. JMH sample mode, 1 fork, 3 x 1 s warm-up, 5 x 1 s ")
                .append("measured, on this machine (2 shared cores). `withPreemption` is the same decision with ")
                .append("`gateway.routing.hedging` and `gateway.routing.preemption` on; `withSchedulerDueSoon` and ")
                .append("`withPreemptionDueSoon` decide a clip due in 330 s instead (every GPU busy, so the core tries ")
                .append("hedging and, with pre-emption, suspending each running job), with the default rule and with ")
                .append("both on.\n\n")
                .append("| benchmark | median us | p99 us | median / withoutScheduler |\n|---|---:|---:|---:|\n");
        for (RunResult r : results) {
            var stats = r.getPrimaryResult().getStatistics();
            String name = r.getParams().getBenchmark();
            md.append("| ").append(name.substring(name.lastIndexOf('.') + 1)).append(" | ")
                    .append(String.format(Locale.US, "%.2f", stats.getPercentile(50))).append(" | ")
                    .append(String.format(Locale.US, "%.2f", stats.getPercentile(99))).append(" | ")
                    .append(String.format(Locale.US, "%.1fx", stats.getPercentile(50) / baseline)).append(" |\n");
        }
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.print(md);
    }
}
