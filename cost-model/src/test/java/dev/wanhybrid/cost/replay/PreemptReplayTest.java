package dev.wanhybrid.cost.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.LocalSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The replay carries out suspensions (branch router-preempt): a job admitted by suspending a running one takes that
 * run's GPU, the suspended job resumes later with what was left of its work plus the overhead, and the GPU time
 * charged is each job's run time plus the overheads, nothing wasted.
 */
class PreemptReplayTest {

    private static final Instant T0 = Instant.parse("2026-10-05T00:00:00Z");

    @Test
    void aSuspendedRunIsChargedItsRunTimePlusTheOverheadAndResumesInTime() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob slackRich = new TraceJob(T0.plusSeconds(60), "t2v", 832, 480, 5, false, Duration.ofHours(48), "t");
        TraceJob urgent = new TraceJob(T0.plusSeconds(90), "t2v", 832, 480, 5, false, Duration.ofSeconds(600), "t");
        ReplayCatalog.LocalOption local = catalog.localOptions(slackRich).getFirst();
        double g = local.gpuSeconds();
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 42, 0.0, ZoneOffset.UTC);
        ReplayPolicy suspendFirst = (job, view) -> view.id() == 0
                ? new ReplayPolicy.Decision("local", local.model(), "cheapest")
                : new ReplayPolicy.Decision("local", local.model(), "preempt", Double.NaN, 0, 5);

        ReplayOutcome out = sim.run(List.of(slackRich, urgent), suspendFirst);

        assertThat(out.localJobs()).isEqualTo(2);
        assertThat(out.deadlineHits()).isEqualTo(2);
        assertThat(out.suspensionsForArrivals()).isEqualTo(1);
        // 30 s before the suspension, the rest of it (g - 30 s) and 5 s to resume; the urgent job's g.
        assertThat(out.gpuBusySeconds()).isCloseTo(2 * g + 5, Offset.offset(1e-6));
        assertThat(out.localMarginal().amount().doubleValue()).isCloseTo(
                catalog.local().marginal(2 * g + 5).amount().doubleValue(), Offset.offset(1e-9));
        assertThat(out.cloudSpend().amount().signum()).isZero();
    }

    @Test
    void aSuspendedRunResumedTwiceIsChargedItsRunTimeAndBothOverheads() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob slackRich = new TraceJob(T0.plusSeconds(60), "t2v", 1280, 720, 5, false, Duration.ofHours(48), "t");
        ReplayCatalog.LocalOption big = catalog.localOptions(slackRich).getFirst();
        TraceJob first = new TraceJob(T0.plusSeconds(160), "t2v", 832, 480, 5, false, Duration.ofSeconds(600), "t");
        ReplayCatalog.LocalOption small = catalog.localOptions(first).getFirst();
        // Arrives once the slack-rich job has resumed (at 160 + the clip's run) and run 100 s more.
        TraceJob second = new TraceJob(T0.plusSeconds(160 + (long) Math.ceil(small.gpuSeconds()) + 100), "t2v", 832,
                480, 5, false, Duration.ofSeconds(600), "t");
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 42, 0.0, ZoneOffset.UTC);
        ReplayPolicy policy = (job, view) -> view.id() == 0
                ? new ReplayPolicy.Decision("local", big.model(), "cheapest")
                : new ReplayPolicy.Decision("local", small.model(), "preempt", Double.NaN, 0, 30);

        ReplayOutcome out = sim.run(List.of(slackRich, first, second), policy);

        assertThat(out.deadlineHits()).isEqualTo(3);
        assertThat(out.suspensionsForArrivals()).isEqualTo(2);
        assertThat(out.gpuBusySeconds()).isCloseTo(big.gpuSeconds() + 2 * small.gpuSeconds() + 60,
                Offset.offset(1e-6));
    }

    @Test
    void theHedgedRouterWithPreemptionRunsAFiveMinuteClipOnTheGpuOfASlackRichRun() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob slackRich = new TraceJob(T0.plusSeconds(60), "t2v", 1280, 720, 5, false, Duration.ofHours(48), "t");
        TraceJob clip = new TraceJob(T0.plusSeconds(600), "t2v", 832, 480, 5, false, Duration.ofSeconds(300), "t");
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 42, 0.0, ZoneOffset.UTC);

        ReplayOutcome without = sim.run(List.of(slackRich, clip), RouterPolicy.hedged());
        ReplayOutcome with = sim.run(List.of(slackRich, clip),
                new RouterPolicy(new LocalAdmission().withHedging(true).withPreemption(true)));

        assertThat(without.localJobs()).isEqualTo(1);
        assertThat(with.localJobs()).isEqualTo(2);
        assertThat(with.deadlineHits()).isEqualTo(2);
        assertThat(without.suspensionsForArrivals()).isZero();
        assertThat(with.suspensionsForArrivals()).isEqualTo(1);
        assertThat(with.total()).isLessThan(without.total());
        double runs = catalog.localOptions(slackRich).getFirst().gpuSeconds()
                + catalog.localOptions(clip).getFirst().gpuSeconds();
        assertThat(with.gpuBusySeconds()).isCloseTo(runs + LocalAdmission.DEFAULT_SUSPEND_OVERHEAD_SECONDS,
                Offset.offset(1e-6));
    }

    @Test
    void aQueuedJobWhoseLatestStartComesWithEveryGpuBusySuspendsASlackRichRun() throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob slackRich = new TraceJob(T0.plusSeconds(60), "t2v", 1280, 720, 5, false, Duration.ofHours(48), "t");
        TraceJob queued = new TraceJob(T0.plusSeconds(120), "t2v", 832, 480, 5, false, Duration.ofSeconds(1200), "t");
        ReplayCatalog.LocalOption big = catalog.localOptions(slackRich).getFirst();
        ReplayCatalog.LocalOption small = catalog.localOptions(queued).getFirst();
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 42, 0.0, ZoneOffset.UTC);
        RouterPolicy router = new RouterPolicy(new LocalAdmission().withPreemption(true));
        // Both go local and nothing is suspended on arrival: the clip waits behind the 14B run.
        ReplayPolicy queueIt = new ReplayPolicy() {
            @Override
            public Decision decide(TraceJob job, View view) {
                return new Decision("local", (view.id() == 0 ? big : small).model(), "cheapest");
            }

            @Override
            public LocalSchedule.Job suspensionFor(LocalSchedule.Job waiting, double clock, LocalSchedule plan) {
                return router.suspensionFor(waiting, clock, plan);
            }

            @Override
            public boolean preempts() {
                return true;
            }

            @Override
            public double suspendOverhead() {
                return router.suspendOverhead();
            }
        };

        ReplayOutcome without = sim.run(List.of(slackRich, queued),
                (job, view) -> new ReplayPolicy.Decision("local", (view.id() == 0 ? big : small).model(), "cheapest"));
        ReplayOutcome with = sim.run(List.of(slackRich, queued), queueIt);

        assertThat(big.gpuSeconds()).isGreaterThan(1200);
        assertThat(without.deadlineHits()).isEqualTo(1);
        assertThat(with.deadlineHits()).isEqualTo(2);
        assertThat(with.suspensionsForArrivals()).isZero();
        assertThat(with.suspensionsForLatestStarts()).isEqualTo(1);
        assertThat(with.gpuBusySeconds()).isCloseTo(big.gpuSeconds() + small.gpuSeconds()
                + LocalAdmission.DEFAULT_SUSPEND_OVERHEAD_SECONDS, Offset.offset(1e-6));
    }

    @Test
    void aSuspensionTakesEffectAtTheRunsNextStepBoundaryWhereTheNewcomerStartsAndTheStepIsChargedAsWorkDone()
            throws Exception {
        ReplayCatalog catalog = OfflineBoundTest.catalog(1);
        TraceJob slackRich = new TraceJob(T0.plusSeconds(60), "t2v", 1280, 720, 5, false, Duration.ofHours(48), "t");
        ReplayCatalog.LocalOption big = catalog.localOptions(slackRich).getFirst();
        double step = big.gpuSeconds() / big.time().steps();
        // Asked 30 s into the run; it stops at the end of the step in progress.
        double boundary = 60 + step * Math.ceil(30 / step);
        assertThat(boundary - 90).isGreaterThan(10);
        ReplayCatalog.LocalOption small = catalog.localOptions(
                new TraceJob(T0, "t2v", 832, 480, 5, false, Duration.ofHours(1), "t")).getFirst();
        double finish = boundary + small.gpuSeconds(); // the clip's end, started at the boundary
        ReplaySimulator sim = new ReplaySimulator(catalog, 1, 42, 0.0, ZoneOffset.UTC);
        ReplayPolicy suspendFirst = (job, view) -> view.id() == 0
                ? new ReplayPolicy.Decision("local", big.model(), "cheapest")
                : new ReplayPolicy.Decision("local", small.model(), "preempt", Double.NaN, 0, 5);

        for (double margin : new double[] {1, -1}) {
            TraceJob clip = new TraceJob(T0.plusSeconds(90), "t2v", 832, 480, 5, false,
                    Duration.ofMillis(Math.round((finish - 90 + margin) * 1000)), "t");
            ReplayOutcome out = sim.run(List.of(slackRich, clip), suspendFirst);

            // In time by a second if it started at the boundary; late by one if it did.
            assertThat(out.deadlineHits()).isEqualTo(margin > 0 ? 2 : 1);
            // The step finished before the suspension is work done: run time plus the overhead, nothing wasted.
            assertThat(out.gpuBusySeconds()).isCloseTo(big.gpuSeconds() + small.gpuSeconds() + 5,
                    Offset.offset(1e-6));
        }
    }
}
