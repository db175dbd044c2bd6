package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalAdmissionTest {

    private final LocalAdmission admission = new LocalAdmission();

    private static LocalAdmission.LocalOption local(String model, double seconds, String marginal) {
        return new LocalAdmission.LocalOption(model, new ServiceTime(seconds, seconds * 1.35), new BigDecimal(marginal));
    }

    private static Optional<LocalAdmission.CloudOption> cloud(String price, double latency) {
        return Optional.of(new LocalAdmission.CloudOption("wan2.2-t2v-plus", new BigDecimal(price), latency));
    }

    @Test
    void onAnIdleFleetGpuTimeIsFreeSoSlowLowSavingWorkGoesLocal() {
        LocalSchedule plan = new LocalSchedule(4);
        var v = admission.decide(1, 0, 86_400, List.of(local("wan2.1-t2v-14b", 5900, "0.14")), cloud("0.18", 180),
                plan, new DemandWindow());

        assertThat(v.local()).isTrue();
        assertThat(v.shadowPricePerGpuSecond()).isZero();
    }

    @Test
    void whenBetterPayingWorkKeepsTheFleetBusySlowLowSavingWorkGoesToTheCloud() {
        LocalSchedule plan = new LocalSchedule(2);
        DemandWindow demand = new DemandWindow();
        // 480p work on the 1.3B model saving $0.094 per 240 s: 60 an hour keep four GPUs busy.
        for (int i = 0; i < 120; i++) {
            demand.record(i * 60, 0.094 / 240, 240);
        }
        var v = admission.decide(1, 7200, 86_400, List.of(local("wan2.1-t2v-14b", 5900, "0.14")), cloud("0.18", 180),
                plan, demand);

        assertThat(v.local()).isFalse();
        assertThat(v.reason()).isEqualTo("opportunity_cost");
        assertThat(v.shadowPricePerGpuSecond()).isGreaterThan(0.04 / 5900);
    }

    @Test
    void onlyLocalCanMeetTheDeadlineSoItRunsLocallyWhatItSaves() {
        var v = admission.decide(1, 0, 400, List.of(local("wan2.1-t2v-1.3b", 240, "0.006")), cloud("0.10", 600),
                new LocalSchedule(1), new DemandWindow());

        assertThat(v.local()).isTrue();
        assertThat(v.reason()).isEqualTo("deadline");
    }

    @Test
    void aFullPlanSendsTheJobToTheCloudThatMeetsItsDeadline() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.enqueue(new LocalSchedule.Job(7, 500, new ServiceTime(400, 450)));
        var v = admission.decide(1, 0, 600, List.of(local("wan2.1-t2v-1.3b", 240, "0.006")), cloud("0.10", 180),
                plan, new DemandWindow());

        assertThat(v.local()).isFalse();
        assertThat(v.reason()).isEqualTo("local_full");
    }

    @Test
    void withHedgingAJobWhoseMarginDoesNotFitRunsLocallyUntilItsHedgePoint() {
        // 240 s expected, 324 s with the margin; due in 300 s; the cloud takes 180 s.
        LocalAdmission.LocalOption sd = new LocalAdmission.LocalOption("wan2.1-t2v-1.3b", new ServiceTime(240, 324),
                new BigDecimal("0.006"));

        var plain = admission.decide(1, 1000, 300, List.of(sd), cloud("0.10", 180), new LocalSchedule(1),
                new DemandWindow());
        var hedged = admission.withHedging(true).decide(1, 1000, 300, List.of(sd), cloud("0.10", 180),
                new LocalSchedule(1), new DemandWindow());

        assertThat(plain.local()).isFalse();
        assertThat(plain.reason()).isEqualTo("local_full");
        assertThat(hedged.local()).isTrue();
        assertThat(hedged.reason()).isEqualTo("hedged");
        assertThat(hedged.job().hedged()).isTrue();
        // The default rescue margin, 1.5: the cloud gets one and a half times its expected 180 s.
        assertThat(hedged.job().hedgeAt()).isEqualTo(1300 - 1.5 * 180);
        // At 1 the hedge point is the cloud's last chance on its expected latency.
        assertThat(admission.withHedging(true).withRescueMargin(1).decide(1, 1000, 300, List.of(sd),
                cloud("0.10", 180), new LocalSchedule(1), new DemandWindow()).job().hedgeAt()).isEqualTo(1300 - 180);
    }

    @Test
    void aRescueMarginMovesTheHedgePointEarlierAndHedgesNothingItLeavesNoTimeFor() {
        LocalAdmission.LocalOption sd = new LocalAdmission.LocalOption("wan2.1-t2v-1.3b", new ServiceTime(240, 324),
                new BigDecimal("0.006"));
        LocalAdmission wide = admission.withHedging(true).withRescueMargin(1.5);

        var hedged = wide.decide(1, 1000, 300, List.of(sd), cloud("0.10", 180), new LocalSchedule(1),
                new DemandWindow());
        // Twice 180 s is more than the 300 s to the deadline: the hedge point would be before now.
        var tooLate = admission.withHedging(true).withRescueMargin(2).decide(2, 1000, 300, List.of(sd),
                cloud("0.10", 180), new LocalSchedule(1), new DemandWindow());

        assertThat(hedged.reason()).isEqualTo("hedged");
        assertThat(hedged.job().hedgeAt()).isEqualTo(1300 - 1.5 * 180);
        assertThat(tooLate.local()).isFalse();
        assertThat(tooLate.reason()).isEqualTo("local_full");
        assertThat(wide.withHedging(false).rescueMargin()).isEqualTo(1.5);
        assertThatThrownBy(() -> admission.withRescueMargin(0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rescue margin");
    }

    @Test
    void hedgingNeverTakesAJobThatCannotFinishOnItsExpectedTimeOrWhenTheCloudIsTooSlowToRescueIt() {
        LocalAdmission hedging = admission.withHedging(true);
        LocalAdmission.LocalOption sd = new LocalAdmission.LocalOption("wan2.1-t2v-1.3b", new ServiceTime(240, 324),
                new BigDecimal("0.006"));
        LocalSchedule busy = new LocalSchedule(1);
        busy.putRunning(0, new LocalSchedule.Job(9, 5000, new ServiceTime(100, 120)), 1000);

        // Expected finish 1120 + 240 > due 1300.
        var queued = hedging.decide(1, 1000, 300, List.of(sd), cloud("0.10", 180), busy, new DemandWindow());
        // The cloud takes longer than the deadline: no hedge point, the ordinary rule applies.
        var noRescue = hedging.decide(2, 1000, 300, List.of(sd), cloud("0.10", 400), new LocalSchedule(1),
                new DemandWindow());

        assertThat(queued.local()).isFalse();
        assertThat(queued.reason()).isEqualTo("local_full");
        assertThat(noRescue.job() == null || !noRescue.job().hedged()).isTrue();
        assertThat(noRescue.reason()).isEqualTo("deadline_at_risk");
    }

    /** Two GPUs busy with 14B runs due in two days, since 600 s and 1,200 s; a 5-minute clip arrives. */
    private static LocalSchedule busyWithSlackRichWork(double now, double dueOfFirst, double dueOfSecond) {
        LocalSchedule plan = new LocalSchedule(2);
        plan.putRunning(0, new LocalSchedule.Job(10, dueOfFirst, new ServiceTime(5900, 7965)), now - 600);
        plan.putRunning(1, new LocalSchedule.Job(11, dueOfSecond, new ServiceTime(5900, 7965)), now - 1200);
        return plan;
    }

    @Test
    void withPreemptionAFiveMinuteClipTakesTheGpuOfTheRunDueLastWhichResumesLaterInTime() {
        double now = 10_000;
        LocalSchedule plan = busyWithSlackRichWork(now, now + 172_800, now + 100_000);
        LocalAdmission hedged = new LocalAdmission().withHedging(true);
        List<LocalAdmission.LocalOption> clip = List.of(local("wan2.1-t2v-1.3b", 240, "0.006"));

        var without = hedged.decide(1, now, 300, clip, cloud("0.10", 180), plan, new DemandWindow());
        var with = hedged.withPreemption(true).decide(1, now, 300, clip, cloud("0.10", 180), plan,
                new DemandWindow());

        assertThat(without.local()).isFalse();
        assertThat(without.reason()).isEqualTo("local_full");
        assertThat(without.suspend()).isNull();
        // 240 s planned at 324 s is longer than the 300 s window, so the clip runs hedged on the freed GPU.
        assertThat(with.local()).isTrue();
        assertThat(with.reason()).isEqualTo("hedged_preempt");
        assertThat(with.suspend().id()).isEqualTo(10); // due last
        assertThat(with.job().hedged()).isTrue();
        // The plan itself is untouched: the caller suspends the run.
        assertThat(plan.running()).isEqualTo(2);
        assertThat(plan.queued()).isZero();
    }

    @Test
    void withPreemptionAnUnhedgedNewcomerIsTriedFirstAndPaysTheOverheadOutOfItsSaving() {
        double now = 10_000;
        LocalSchedule plan = busyWithSlackRichWork(now, now + 172_800, now + 100_000);
        List<LocalAdmission.LocalOption> clip = List.of(local("wan2.1-t2v-1.3b", 240, "0.006"));
        LocalAdmission preempting = new LocalAdmission().withHedging(true).withPreemption(true);

        var v = preempting.decide(1, now, 900, clip, cloud("0.10", 180), plan, new DemandWindow());
        // An overhead that costs more than the clip saves ($0.094 against $0.006 per 240 s) is not worth it.
        var dear = preempting.withSuspendOverhead(4000).decide(1, now, 900, clip, cloud("0.10", 180), plan,
                new DemandWindow());

        assertThat(v.local()).isTrue();
        assertThat(v.reason()).isEqualTo("preempt");
        assertThat(v.job().hedged()).isFalse();
        assertThat(v.suspend().id()).isEqualTo(10);
        assertThat(dear.local()).isFalse();
        assertThat(dear.suspend()).isNull();
    }

    @Test
    void noRunIsSuspendedThatIsDueFirstHedgedOrWhoseRemainderWouldEndLate() {
        double now = 10_000;
        List<LocalAdmission.LocalOption> clip = List.of(local("wan2.1-t2v-1.3b", 240, "0.006"));
        LocalAdmission preempting = new LocalAdmission().withHedging(true).withPreemption(true);
        // Both due before the clip.
        var dueFirst = preempting.decide(1, now, 300, clip, cloud("0.10", 180),
                busyWithSlackRichWork(now, now + 200, now + 250), new DemandWindow());
        // Due in 2 hours: 600 s into a 5,900 s run, the 7,965 s planned leave about 7,200 s, which no longer fit
        // after the clip.
        var tooLate = preempting.decide(1, now, 300, clip, cloud("0.10", 180),
                busyWithSlackRichWork(now, now + 7200, now + 6600), new DemandWindow());
        LocalSchedule hedgedRuns = new LocalSchedule(1);
        hedgedRuns.putRunning(0, new LocalSchedule.Job(10, now + 172_800, new ServiceTime(240, 324), now + 172_600),
                now - 30);
        var hedgedRun = preempting.decide(1, now, 300, clip, cloud("0.10", 180), hedgedRuns, new DemandWindow());

        for (var v : List.of(dueFirst, tooLate, hedgedRun)) {
            assertThat(v.local()).isFalse();
            assertThat(v.suspend()).isNull();
        }
    }

    @Test
    void aQueuedJobAtItsLatestStartMaySuspendARunDueAfterIt() {
        double now = 10_000;
        LocalSchedule plan = busyWithSlackRichWork(now, now + 172_800, now + 100_000);
        LocalSchedule.Job waiting = new LocalSchedule.Job(1, now + 324, new ServiceTime(240, 324));
        plan.enqueue(waiting);

        assertThat(new LocalAdmission().suspensionFor(waiting, now, plan)).isNull(); // pre-emption off
        assertThat(new LocalAdmission().withPreemption(true).suspensionFor(waiting, now, plan).id()).isEqualTo(10);
    }

    @Test
    void windowPricingLetsSlackRichWorkUseGpusThatBetterWorkLeavesFreeOverItsWindow() {
        LocalSchedule plan = new LocalSchedule(2);
        DemandWindow demand = new DemandWindow();
        // 480p work saving $0.094 per 240 s, one every 480 s: it keeps half a GPU busy.
        for (int i = 0; i < 15; i++) {
            demand.record(i * 480, 0.094 / 240, 240);
        }
        List<LocalAdmission.LocalOption> fourteenB = List.of(local("wan2.1-t2v-14b", 5900, "0.14"));

        var overItsRun = admission.decide(1, 7200, 86_400, fourteenB, cloud("0.18", 180), plan, demand);
        var overItsWindow = admission.withPreemptibleWork(true).decide(2, 7200, 86_400, fourteenB,
                cloud("0.18", 180), plan, demand);

        assertThat(overItsRun.local()).isFalse();
        assertThat(overItsRun.reason()).isEqualTo("opportunity_cost");
        assertThat(overItsWindow.local()).isTrue();
        assertThat(overItsWindow.reason()).isEqualTo("cheapest");
        assertThat(overItsWindow.shadowPricePerGpuSecond()).isZero();
    }

    /**
     * One GPU busy with a 14B run of 10 steps of 600 s (810 s pessimistic), due in two days, {@code intoStep}
     * seconds into its first step (its progress reported, so its step time is measured); {@code steps} 0 for a run
     * whose steps are not known.
     */
    private static LocalSchedule busyMidStep(double now, double intoStep, int steps) {
        LocalSchedule plan = new LocalSchedule(1);
        plan.putRunning(0, new LocalSchedule.Job(10, now + 172_800, new ServiceTime(6000, 8100, steps)),
                now - intoStep);
        plan.reportProgress(0, 1 - intoStep / 6000);
        return plan;
    }

    @Test
    void aSuspensionWaitsForTheRunsStepBoundaryAndIsNotMadeWhenThatComesTooLateForTheNewcomer() {
        double now = 10_000;
        List<LocalAdmission.LocalOption> clip = List.of(local("wan2.1-t2v-1.3b", 240, "0.006"));
        LocalAdmission preempting = new LocalAdmission().withPreemption(true);
        // Due in 900 s, planned at 324 s: it must start within 576 s.
        LocalSchedule boundaryIn590 = busyMidStep(now, 10, 10);
        LocalSchedule boundaryIn100 = busyMidStep(now, 500, 10);
        LocalSchedule stepsUnknown = busyMidStep(now, 10, 0);

        var tooLate = preempting.decide(1, now, 900, clip, cloud("0.10", 180), boundaryIn590, new DemandWindow());
        var inTime = preempting.decide(1, now, 900, clip, cloud("0.10", 180), boundaryIn100, new DemandWindow());
        var atOnce = preempting.decide(1, now, 900, clip, cloud("0.10", 180), stepsUnknown, new DemandWindow());

        assertThat(boundaryIn590.toStepBoundary(0, now)).isCloseTo(590, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(tooLate.local()).isFalse();
        assertThat(tooLate.suspend()).isNull();
        assertThat(inTime.reason()).isEqualTo("preempt");
        assertThat(inTime.suspend().id()).isEqualTo(10);
        assertThat(atOnce.reason()).isEqualTo("preempt"); // without steps the suspension was taken as instant
        // Carried out, the suspension frees the GPU at the boundary, and the clip is planned to start then.
        LocalSchedule after = boundaryIn100.copy();
        after.suspend(0, now, preempting.suspendOverheadSeconds());
        assertThat(after.plannedStart(inTime.job(), now)).isCloseTo(now + 100,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(after.admits(inTime.job(), now)).isTrue();
    }

    @Test
    void aQueuedJobAtItsLatestStartSuspendsTheRunWhoseBoundaryComesFirstAndNoneWhoseComesTooLate() {
        double now = 10_000;
        LocalSchedule plan = new LocalSchedule(2);
        // GPU 0: due last, its step boundary in 590 s; GPU 1: due earlier, its boundary in 100 s.
        plan.putRunning(0, new LocalSchedule.Job(10, now + 172_800, new ServiceTime(6000, 8100, 10)), now - 10);
        plan.reportProgress(0, 1 - 10.0 / 6000);
        plan.putRunning(1, new LocalSchedule.Job(11, now + 100_000, new ServiceTime(6000, 8100, 10)), now - 500);
        plan.reportProgress(1, 1 - 500.0 / 6000);
        LocalSchedule.Job waiting = new LocalSchedule.Job(1, now + 400, new ServiceTime(240, 324));
        LocalSchedule.Job tighter = new LocalSchedule.Job(2, now + 300, new ServiceTime(240, 324));
        plan.enqueue(waiting);
        LocalAdmission preempting = new LocalAdmission().withPreemption(true);

        // 100 s to the boundary and 240 s expected end 340 s from now, in time for 400 s; 590 s would not be.
        assertThat(preempting.suspensionFor(waiting, now, plan).id()).isEqualTo(11);
        // Due in 300 s, even the first boundary is too late on its expected time.
        assertThat(preempting.suspensionFor(tighter, now, plan)).isNull();
    }
}
