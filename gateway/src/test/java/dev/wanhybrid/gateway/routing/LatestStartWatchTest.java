package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.backend.local.LocalProperties;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * Pre-emption's second occasion end to end: the {@link LatestStartWatch} on its timer, the real
 * {@link DefaultRoutePlanner} reading the real local backend's queue, and the backend suspending the run it names.
 * One GPU runs a clip due in two hours; a clip due sooner waits behind it. Nothing happens before the waiting clip's
 * latest start (its deadline less its pessimistic time, from the same throughput model the planner uses); once the
 * fake clock passes it, the watch asks the running clip to suspend, the waiting clip takes the GPU at the next step
 * boundary, and the suspended clip resumes after it.
 */
class LatestStartWatchTest {

    private static final String MODEL = "wan2.1-t2v-1.3b";
    private static final VideoSize SIZE = new VideoSize(832, 480);
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path workDir;

    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestVideoEngine engine = new TestVideoEngine(MODEL, 4);
    private final ModelCatalog catalog = CatalogFixtures.shipped();
    private final CostModelEstimator costs = CostModelEstimator.withServiceTimes(null, Region.INTERNATIONAL,
            ServiceTimeModel.withDefaults(new LocalCostModel(new GpuFleet("rtx4090", 1, new FleetCost.Owned(
                    Money.usd("3000"), new BigDecimal("3"), new BigDecimal("450"), new BigDecimal("80"),
                    Money.usd("0.15"), new BigDecimal("1.3"), Money.usd("6000"), Money.usd("2400"))),
                    LocalConfigLoader.defaultThroughput())), Clock.systemUTC());
    private LocalBackend backend;

    @BeforeEach
    void start() {
        backend = new LocalBackend(new LocalProperties(null, List.of("cpu"), workDir, 50, 5.0, "unipc",
                Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, null), List.of(engine),
                LocalProperties.NO_WEIGHTS, Bulkhead.of("local", BulkheadConfig.custom().maxConcurrentCalls(4)
                        .maxWaitDuration(Duration.ZERO).build()), meters, clock);
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private DefaultRoutePlanner planner(LocalAdmission admission) {
        var beans = new StaticListableBeanFactory(Map.of("local", backend));
        return new DefaultRoutePlanner(catalog, null, beans.getBeanProvider(LocalCapacity.class),
                beans.getBeanProvider(BudgetCaps.class), costs,
                new CloudLatencyTracker(clock, Duration.ofMinutes(30), 3, 64),
                new RoutingMetrics(new SimpleMeterRegistry()), clock, admission);
    }

    private static BackendTask task(String jobId, long seed, Instant dueBy) {
        return new BackendTask(jobId, MODEL, new GenerationSpec("acme", MODEL, TaskKind.T2V, "a cat surfing", null,
                SIZE, 5, seed, null, AudioSpec.NONE, null, RoutingHints.NONE), dueBy, null, null, null);
    }

    /** The clip's planned time, as the planner computes it from the throughput model. */
    private ServiceTime plannedTime() {
        return costs.localServiceTime(catalog.find(MODEL).orElseThrow(), SIZE, 5).orElseThrow();
    }

    private LocalQueueState.Run runOf(String taskId) {
        return backend.queue().tasks().stream().map(LocalQueueState.Task::run).filter(r -> r.taskId().equals(taskId))
                .findFirst().orElseThrow();
    }

    private TaskSnapshot awaitState(String taskId, TaskSnapshot.State state) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(taskId).state() == state);
        return backend.poll(taskId);
    }

    @Test
    void theWatchSuspendsTheRunningClipOnceTheWaitingClipsLatestStartHasComeAndTheClipResumesAfterIt()
            throws Exception {
        ServiceTime planned = plannedTime();
        assertThat(planned.pessimisticSeconds()).isGreaterThan(planned.expectedSeconds());
        String late = backend.submit(task("video_late", 1, T0.plusSeconds(7200)));
        awaitState(late, TaskSnapshot.State.RUNNING);
        engine.stepPermits.release(1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> backend.poll(late).progress() == 25);

        // Due when its expected time, and a step of the running clip, still fit after its pessimistic start.
        double slack = (planned.pessimisticSeconds() - planned.expectedSeconds()) / 2;
        Instant due = T0.plusMillis(Math.round((planned.pessimisticSeconds() + 60 + slack) * 1000));
        Instant latestStart = due.minusMillis(Math.round(planned.pessimisticSeconds() * 1000));
        String urgent = backend.submit(task("video_urgent", 2, due));
        assertThat(backend.poll(urgent).state()).isEqualTo(TaskSnapshot.State.PENDING);

        try (LatestStartWatch watch = new LatestStartWatch(planner(new LocalAdmission().withPreemptibleWork(true)),
                Duration.ofMillis(20))) {
            watch.start();
            clock.set(latestStart.minusSeconds(1));
            Thread.sleep(300); // many rounds before the latest start: none suspends
            assertThat(runOf(late).suspending()).isFalse();

            clock.set(latestStart.plusSeconds(1));
            await().atMost(10, TimeUnit.SECONDS).until(() -> runOf(late).suspending());
        }
        // The step in progress finishes, then the waiting clip has the GPU and the suspended one waits.
        engine.stepPermits.release(1);
        awaitState(urgent, TaskSnapshot.State.RUNNING);
        TaskSnapshot waiting = backend.poll(late);
        assertThat(waiting.state()).isEqualTo(TaskSnapshot.State.PENDING);
        assertThat(waiting.progress()).isEqualTo(50);
        assertThat(meters.get("gateway.local.suspensions").counter().count()).isEqualTo(1);

        engine.stepPermits.release(6);
        awaitState(urgent, TaskSnapshot.State.SUCCEEDED);
        awaitState(late, TaskSnapshot.State.SUCCEEDED);
        assertThat(engine.resumes).singleElement().satisfies(s -> assertThat(s.nextStep()).isEqualTo(2));
    }

    @Test
    void withoutPreemptionOrBeforeTheLatestStartNothingIsSuspended() throws Exception {
        ServiceTime planned = plannedTime();
        String late = backend.submit(task("video_late", 1, T0.plusSeconds(7200)));
        awaitState(late, TaskSnapshot.State.RUNNING);
        Instant due = T0.plusMillis(Math.round((planned.pessimisticSeconds() + 60) * 1000));
        backend.submit(task("video_urgent", 2, due));
        clock.set(due.minusMillis(Math.round(planned.pessimisticSeconds() * 1000)).plusSeconds(1));

        assertThat(planner(new LocalAdmission()).suspendAtLatestStart()).isEmpty();
        assertThat(runOf(late).suspending()).isFalse();

        clock.set(T0);
        assertThat(planner(new LocalAdmission().withPreemptibleWork(true)).suspendAtLatestStart()).isEmpty();
        assertThat(runOf(late).suspending()).isFalse();
        engine.stepPermits.release(8);
    }
}
