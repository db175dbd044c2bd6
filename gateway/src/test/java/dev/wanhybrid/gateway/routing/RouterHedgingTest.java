package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.replay.ReplayConfig;
import dev.wanhybrid.cost.routing.DemandWindow;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router's hedged admission ({@code gateway.routing.hedging}) and pre-emption on the replay's fleet: a 5-second 480p clip due
 * in 5 minutes takes about 240 s on the 1.3B model, 324 s with its margin, and the cloud about 180 s. Without
 * hedging the margin does not fit and the cloud takes it; with hedging it runs locally, its hedge point at the
 * deadline minus the cloud's 180 s, and the cloud it would leave for right behind it.
 */
class RouterHedgingTest {

    static final Instant NOW = Instant.parse("2026-10-05T10:00:00Z");
    static final Duration CLOUD_PER_SECOND = Duration.ofSeconds(36);

    final Router router = new Router();
    final ModelCatalog catalog = CatalogFixtures.shipped();
    CostModelEstimator costs;

    @BeforeEach
    void fleet() throws Exception {
        ReplayConfig cfg = ReplayConfig.load(Path.of("../cost-model/config/replay.yaml"));
        costs = CostModelEstimator.withServiceTimes(null, Region.INTERNATIONAL, cfg.catalog().serviceTimes(),
                Clock.systemUTC());
    }

    @Test
    void withHedgingAClipWhoseMarginDoesNotFitRunsLocallyWithItsHedgePointAndItsRescueNext() throws Exception {
        Route route = router.decide(clipDueIn(300), context(new LocalAdmission().withHedging(true)));

        assertThat(route.reason()).isEqualTo("hedged");
        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.chosen().model()).isEqualTo("wan2.1-t2v-1.3b");
        assertThat(route.hedge()).isNotNull();
        // The default rescue margin (1.5) leaves the cloud 270 s of the 300, its expected 180 s half as long again.
        assertThat(route.hedge().at()).isEqualTo(NOW.plusSeconds(300 - 270));
        assertThat(route.candidates().get(1)).isEqualTo(route.hedge().rescue());
        assertThat(route.hedge().rescue().backend()).isEqualTo("cloud");
        assertThat(route.hedge().rescue().estimatedTime()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void aRescueMarginSetsTheHedgePointAndABadOneFailsNamingItsKey() throws Exception {
        Route route = router.decide(clipDueIn(300), context(RoutingConfiguration.admission(true, 1)));

        assertThat(route.reason()).isEqualTo("hedged");
        assertThat(route.hedge().at()).isEqualTo(NOW.plusSeconds(300 - 180)); // the cloud's expected latency exactly
        assertThatThrownBy(() -> RoutingConfiguration.admission(true, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.routing.hedge-rescue-margin: ");
    }

    @Test
    void withoutHedgingTheSameClipGoesToTheCloudAndNoRouteCarriesAHedgePoint() throws Exception {
        Route route = router.decide(clipDueIn(300), context(new LocalAdmission()));

        assertThat(route.chosen().backend()).isEqualTo("cloud");
        assertThat(route.reason()).isNotEqualTo("hedged");
        assertThat(route.hedge()).isNull();
    }

    @Test
    void whileTheHedgeGuardPausesHedgingThePlannersRuleHasNoneAndTheSameClipGoesToTheCloud() throws Exception {
        HedgeGuard guard = new HedgeGuard(1.5, 0.1);
        var beans = new org.springframework.beans.factory.support.StaticListableBeanFactory();
        LocalAdmission configured = RoutingConfiguration.preemption(RoutingConfiguration.admission(true, 1.5), true,
                Duration.ofSeconds(5));
        DefaultRoutePlanner planner = new DefaultRoutePlanner(catalog, null,
                beans.getBeanProvider(dev.wanhybrid.gateway.backend.LocalCapacity.class),
                beans.getBeanProvider(dev.wanhybrid.gateway.budget.BudgetCaps.class), costs,
                new CloudLatencyTracker(Clock.systemUTC(), Duration.ofMinutes(30), 3, 64),
                new RoutingMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), Clock.systemUTC(),
                configured, guard);
        assertThat(planner.admissionNow(true).hedging()).isTrue();
        assertThat(planner.admissionNow(true).preemption()).isTrue();
        assertThat(router.decide(clipDueIn(300), context(planner.admissionNow(false))).reason()).isEqualTo("hedged");

        for (int i = 0; i < HedgeGuard.MINIMUM; i++) {
            guard.routedCloudJobTook(2.0);
        }
        assertThat(planner.admissionNow(true).hedging()).isFalse();
        assertThat(planner.admissionNow(true).preemption()).as("pre-emption stays").isTrue();
        assertThat(planner.admissionNow(false).hedging()).isFalse();
        assertThat(planner.admissionNow(false).preemption()).isFalse();
        Route paused = router.decide(clipDueIn(300), context(planner.admissionNow(false)));
        assertThat(paused.chosen().backend()).isEqualTo("cloud");
        assertThat(paused.hedge()).isNull();
    }

    @Test
    void aClipWhoseMarginFitsIsNotHedged() throws Exception {
        Route route = router.decide(clipDueIn(3600), context(new LocalAdmission().withHedging(true)));

        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.reason()).isNotEqualTo("hedged");
        assertThat(route.hedge()).isNull();
    }

    private static GenerationSpec clipDueIn(long seconds) {
        return new GenerationSpec("acme", GenerationSpec.AUTO_MODEL, TaskKind.T2V, "a paper boat", null,
                new VideoSize(832, 480), 5, null, null, AudioSpec.NONE, null,
                new RoutingHints(null, RoutingHints.Objective.COST, null, Duration.ofSeconds(seconds), false));
    }

    /**
     * Pre-emption ({@code gateway.routing.preemption}): one GPU busy for about 230 s more with a clip due in two
     * hours. A clip due in 10 minutes cannot wait for it (230 s and its own 324 s pessimistic), so without
     * pre-emption it goes to the cloud; with it, the running clip is suspended at its next step boundary and the
     * route names that task and its job.
     */
    @Test
    void withPreemptionAClipThatCannotWaitTakesTheGpuOfARunDueLaterAndTheRouteNamesIt() throws Exception {
        LocalQueueState.Task running = new LocalQueueState.Task("wan2.1-t2v-1.3b", new VideoSize(832, 480), 5,
                NOW.plusSeconds(7200), NOW.minusSeconds(10), 1,
                new LocalQueueState.Run("local-abc", "video_long", null, 1, 0.96, false));
        Map<Long, LocalQueueState.Run> runs = new java.util.HashMap<>();
        double now = NOW.toEpochMilli() / 1000.0;
        LocalSchedule plan = DefaultRoutePlanner.planOfTasks(List.of(running), 1, t -> costs.localServiceTime(
                catalog.find(t.model()).orElseThrow(), t.size(), t.seconds()).orElseThrow(), now, 5, runs);

        Route without = router.decide(clipDueIn(600), context(new LocalAdmission(),
                new LocalPlanState(plan.copy(), new DemandWindow(), new LocalAdmission(), now, 2, runs)));
        assertThat(without.chosen().backend()).isEqualTo("cloud");
        assertThat(without.preemption()).isNull();

        LocalAdmission preempting = RoutingConfiguration.preemption(new LocalAdmission(), true, Duration.ofSeconds(5));
        Route route = router.decide(clipDueIn(600), context(preempting,
                new LocalPlanState(plan, new DemandWindow(), preempting, now, 2, runs)));
        assertThat(route.reason()).isEqualTo("preempt");
        assertThat(route.chosen().backend()).isEqualTo("local");
        assertThat(route.hedge()).isNull();
        assertThat(route.preemption().task()).isEqualTo("local-abc");
        assertThat(route.preemption().job()).isEqualTo("video_long");
        assertThat(route.preemption().detail()).contains("job video_long").contains("next step boundary");
        // It starts at that boundary (within a step of 4.8 s), so its estimate is about its own run.
        assertThat(route.chosen().estimatedTime()).isLessThan(Duration.ofSeconds(250));

        assertThatThrownBy(() -> RoutingConfiguration.preemption(new LocalAdmission(), true, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.routing.suspend-overhead: ");
    }

    private RoutingContext context(LocalAdmission admission) {
        return context(admission, new LocalPlanState(new LocalSchedule(1), new DemandWindow(), admission, 0, 1));
    }

    private RoutingContext context(LocalAdmission admission, LocalPlanState plan) {
        List<LatencyObservations.Observation> seen = new ArrayList<>();
        for (CatalogModel m : catalog.models()) {
            if (!m.isLocal()) {
                for (int i = 0; i < 3; i++) {
                    seen.add(new LatencyObservations.Observation(NOW, m.id(), CLOUD_PER_SECOND, 1));
                }
            }
        }
        return new RoutingContext(catalog, Map.of("local", BackendHealth.up("local"), "cloud",
                BackendHealth.up("cloud")), new LocalQueueState(0, 0, 1, 0, Duration.ZERO),
                LatencyObservations.of(seen, Duration.ofMinutes(30), 3), costs, Map.of(), NOW,
                plan);
    }
}
