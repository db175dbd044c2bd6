package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalScheduleTest {

    private static LocalSchedule.Job job(long id, double due, double seconds) {
        return new LocalSchedule.Job(id, due, new ServiceTime(seconds, seconds));
    }

    @Test
    void aFreedGpuStartsTheEarliestDeadlineNotTheOldestJob() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.enqueue(job(1, 5000, 100));
        plan.enqueue(job(2, 300, 100));

        assertThat(plan.startNext(0, 0).orElseThrow().id()).isEqualTo(2);
        plan.finish(0);
        assertThat(plan.startNext(0, 100).orElseThrow().id()).isEqualTo(1);
    }

    @Test
    void admissionPlansWithThePessimisticTime() {
        LocalSchedule plan = new LocalSchedule(1);
        LocalSchedule.Job tight = new LocalSchedule.Job(1, 110, new ServiceTime(100, 135));

        assertThat(plan.admits(tight, 0)).isFalse();
        assertThat(plan.plannedFinish(tight, 0, false)).isEqualTo(100);
        assertThat(plan.admits(new LocalSchedule.Job(1, 135, new ServiceTime(100, 135)), 0)).isTrue();
    }

    @Test
    void aNewcomerThatWouldPushAnAdmittedJobPastItsDeadlineIsRefused() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.putRunning(0, job(9, 1000, 50), 0); // busy until 50
        plan.enqueue(job(1, 150, 100));         // 50..150: just in time

        assertThat(plan.admits(job(2, 120, 60), 0)).as("goes first, makes job 1 late").isFalse();
        assertThat(plan.admits(job(3, 400, 60), 0)).as("goes after job 1").isTrue();
        assertThat(plan.plannedStart(job(3, 400, 60), 0)).isEqualTo(150);
    }

    /**
     * The committed work a suspension would leave, computed without building the plan (what the admission's filter
     * reads for every GPU it might suspend), equals what the plan built by copy, drain and enqueue says, on random
     * plans with known and unknown steps, progress reported or not, deadlines inside and beyond the horizon.
     */
    @Test
    void committedWorkIfSuspendedEqualsTheBuiltPlansOnRandomPlans() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(33);
        int restInside = 0;
        for (int round = 0; round < 2000; round++) {
            int gpus = 1 + r.nextInt(4);
            LocalSchedule plan = new LocalSchedule(gpus);
            double now = 100 + r.nextInt(200);
            for (int g = 0; g < gpus; g++) {
                double expected = 20 + r.nextInt(400);
                ServiceTime time = new ServiceTime(expected, expected * (1 + r.nextDouble()), r.nextBoolean() ? 50 : 0);
                plan.putRunning(g, new LocalSchedule.Job(-1 - g, now + r.nextInt(3000), time), now - r.nextInt(150));
                if (r.nextBoolean()) {
                    plan.reportProgress(g, r.nextDouble());
                }
            }
            for (int i = 0, n = r.nextInt(15); i < n; i++) {
                double expected = 10 + r.nextInt(300);
                plan.enqueue(new LocalSchedule.Job(i, now + 50 + r.nextInt(3000),
                        new ServiceTime(expected, expected * 1.3)));
            }
            double horizon = 10 + r.nextInt(1000);
            int g = r.nextInt(gpus);
            LocalSchedule.Job rest = plan.remainderIfSuspended(g, now, 5);

            LocalSchedule built = plan.copy();
            built.drain(g, now, 5);
            built.enqueue(rest);

            assertThat(plan.committedWithinIfSuspended(g, rest, now, horizon, plan.committedWithin(now, horizon))).as("round " + round)
                    .isCloseTo(built.committedWithin(now, horizon), org.assertj.core.data.Offset.offset(1e-6));
            restInside += rest.due() - rest.time().pessimisticSeconds() <= now + horizon ? 1 : 0;
        }
        assertThat(restInside).as("the rest counts inside the horizon in some rounds, not in others")
                .isBetween(100, 1900);
    }

    @Test
    void admissionAgreesWithAPlainSimulationOnRandomPlans() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        int admitted = 0;
        for (int round = 0; round < 2000; round++) {
            int gpus = 1 + r.nextInt(4);
            LocalSchedule plan = new LocalSchedule(gpus);
            double[] busyUntil = new double[gpus];
            for (int g = 0; g < gpus; g++) {
                if (r.nextBoolean()) {
                    double left = 10 + r.nextInt(300);
                    plan.putRunning(g, job(-1 - g, 1e9, left), 0);
                    busyUntil[g] = left;
                }
            }
            List<LocalSchedule.Job> queued = new java.util.ArrayList<>();
            for (int i = 0, n = r.nextInt(12); i < n; i++) {
                LocalSchedule.Job j = job(i, 50 + r.nextInt(1500), 10 + r.nextInt(300));
                plan.enqueue(j);
                queued.add(j);
            }
            LocalSchedule.Job candidate = job(100, 50 + r.nextInt(1500), 10 + r.nextInt(300));

            boolean expected = plainAdmits(busyUntil, queued, candidate);

            assertThat(plan.admits(candidate, 0)).as("round " + round).isEqualTo(expected);
            admitted += expected ? 1 : 0;
        }
        assertThat(admitted).as("both answers occur").isBetween(200, 1800);
    }

    /** The definition, simulated plainly: EDF order, each job on the GPU that frees first. */
    private static boolean plainAdmits(double[] busyUntil, List<LocalSchedule.Job> queued, LocalSchedule.Job candidate) {
        java.util.Map<Long, Double> without = finishes(busyUntil, queued);
        List<LocalSchedule.Job> with = new java.util.ArrayList<>(queued);
        with.add(candidate);
        java.util.Map<Long, Double> withIt = finishes(busyUntil, with);
        if (withIt.get(candidate.id()) > candidate.due()) {
            return false;
        }
        for (LocalSchedule.Job j : queued) {
            if (without.get(j.id()) <= j.due() && withIt.get(j.id()) > j.due()) {
                return false;
            }
        }
        return true;
    }

    private static java.util.Map<Long, Double> finishes(double[] busyUntil, List<LocalSchedule.Job> jobs) {
        double[] free = busyUntil.clone();
        List<LocalSchedule.Job> order = new java.util.ArrayList<>(jobs);
        order.sort(java.util.Comparator.comparingDouble(LocalSchedule.Job::due).thenComparingLong(LocalSchedule.Job::id));
        java.util.Map<Long, Double> out = new java.util.HashMap<>();
        for (LocalSchedule.Job j : order) {
            int g = 0;
            for (int k = 1; k < free.length; k++) {
                if (free[k] < free[g]) {
                    g = k;
                }
            }
            free[g] += j.time().pessimisticSeconds();
            out.put(j.id(), free[g]);
        }
        return out;
    }

    @Test
    void workWithSlackBeyondTheHorizonIsNotCommittedInIt() {
        LocalSchedule plan = new LocalSchedule(2);
        plan.enqueue(job(1, 200, 100));        // must start by 100
        plan.enqueue(job(2, 86_400, 100));     // can wait for the night

        assertThat(plan.committedWithin(0, 300)).isEqualTo(100);
        assertThat(plan.backlogSeconds(0)).isEqualTo(200);
    }

    @Test
    void aHedgedJobHoldsItsGpuUntilItsDeadlineAtTheMostForTheJobsBehindIt() {
        LocalSchedule plan = new LocalSchedule(1);
        // Expected 100 s, 400 s with the margin, due at 150: it leaves for the cloud rather than run past 150.
        plan.enqueue(new LocalSchedule.Job(1, 150, new ServiceTime(100, 400), 60));
        LocalSchedule.Job next = new LocalSchedule.Job(2, 300, new ServiceTime(100, 140));
        LocalSchedule unhedged = new LocalSchedule(1);
        unhedged.enqueue(new LocalSchedule.Job(1, 150, new ServiceTime(100, 400)));

        assertThat(plan.admits(next, 0)).isTrue();
        assertThat(plan.plannedFinish(next, 0, true)).isEqualTo(290);
        assertThat(unhedged.admits(next, 0)).isFalse();
    }

    @Test
    void aHedgedCandidateIsAdmittedOnItsExpectedTimeButMayNotPushAnAdmittedJobLate() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.enqueue(new LocalSchedule.Job(1, 400, new ServiceTime(100, 130)));

        // Due 200: 100 s expected fits (finish 100), 300 s pessimistic would not; it holds the GPU till 200 at most,
        // and the admitted job then ends at 330 <= 400.
        assertThat(plan.admits(new LocalSchedule.Job(2, 200, new ServiceTime(100, 300), 50), 0)).isTrue();
        assertThat(plan.admits(new LocalSchedule.Job(2, 200, new ServiceTime(100, 300)), 0)).isFalse();
        // Due 280: it may hold the GPU till 280, and the admitted job would end at 410 > 400.
        assertThat(plan.admits(new LocalSchedule.Job(3, 280, new ServiceTime(100, 300), 100), 0)).isFalse();
    }

    @Test
    void aHedgedCandidatePlansItsStartOnTheExpectedTimesOfTheWorkAheadOfIt() {
        LocalSchedule plan = new LocalSchedule(1);
        // Running since 0: expected to end at 100, at 200 with its margin.
        plan.putRunning(0, new LocalSchedule.Job(1, 1000, new ServiceTime(100, 200)), 0);
        // Due 250, 120 s expected: it starts at 100 and ends at 220 if the run ends as expected; if the run goes
        // long, the hedge point (70 s before the deadline) sends it to the cloud in time.
        LocalSchedule.Job hedged = new LocalSchedule.Job(2, 250, new ServiceTime(120, 160), 180);
        assertThat(plan.plannedFinish(hedged, 0, true)).isEqualTo(220);
        assertThat(plan.admits(hedged, 0)).isTrue();
        // Unhedged, its start is planned on the run's pessimistic end: 200 + 160 > 250.
        assertThat(plan.admits(new LocalSchedule.Job(2, 250, new ServiceTime(120, 160)), 0)).isFalse();
        // Ending late on expected times is still refused.
        assertThat(plan.admits(new LocalSchedule.Job(3, 210, new ServiceTime(120, 160), 140), 0)).isFalse();
    }

    @Test
    void aHedgedCandidateStartedEarlyOnExpectedTimesStillMayNotPushAnAdmittedJobLate() {
        LocalSchedule plan = new LocalSchedule(1);
        plan.putRunning(0, new LocalSchedule.Job(1, 1000, new ServiceTime(100, 200)), 0);
        plan.enqueue(new LocalSchedule.Job(2, 500, new ServiceTime(100, 150)));
        // On pessimistic times the run ends at 200 and the hedged job holds the GPU from there for its expected 120 s
        // at the least and until its deadline at the most: due 300, the admitted job ends at 470 <= 500; due 360, it
        // holds the GPU until 360 and the admitted job would end at 510.
        assertThat(plan.admits(new LocalSchedule.Job(3, 300, new ServiceTime(120, 200), 200), 0)).isTrue();
        assertThat(plan.admits(new LocalSchedule.Job(3, 360, new ServiceTime(120, 300), 250), 0)).isFalse();
    }

    @Test
    void aSuspendedRunGoesBackToTheQueueWithItsWorkLeftPlusTheOverheadInDeadlineOrder() {
        LocalSchedule plan = new LocalSchedule(1);
        LocalSchedule.Job slackRich = new LocalSchedule.Job(1, 10_000, new ServiceTime(1000, 1350));
        LocalSchedule.Job urgent = new LocalSchedule.Job(2, 700, new ServiceTime(240, 324));
        plan.enqueue(slackRich);
        plan.startNext(0, 0);
        plan.reportProgress(0, 0.6);
        LocalSchedule before = plan.copy();

        LocalSchedule.Job rest = plan.suspend(0, 400, 5);
        plan.enqueue(urgent);

        assertThat(rest.id()).isEqualTo(1);
        assertThat(rest.due()).isEqualTo(10_000);
        assertThat(rest.time().expectedSeconds()).isCloseTo(605, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rest.time().pessimisticSeconds()).isCloseTo(815, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.idleGpu()).isZero();
        assertThat(plan.queuedJobs()).containsExactly(urgent, rest);
        // The copy taken before is untouched: the run still on its GPU, nothing queued.
        assertThat(before.running()).isEqualTo(1);
        assertThat(before.queued()).isZero();
        assertThat(before.workLeft(0, 400)).isEqualTo(0.6);

        assertThat(plan.startNext(0, 400).orElseThrow()).isEqualTo(urgent);
        plan.finish(0);
        assertThat(plan.startNext(0, 640).orElseThrow()).isEqualTo(rest);
        assertThat(plan.startedAt(0)).isEqualTo(640);
        // Suspended again half-way through its work: the overhead it resumed with is not counted twice.
        plan.reportProgress(0, 0.5);
        LocalSchedule.Job again = plan.remainderIfSuspended(0, 950, 5);
        assertThat(again.time().expectedSeconds()).isCloseTo(305, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(again.time().pessimisticSeconds()).isCloseTo(410, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void withoutAReportTheWorkLeftIsEstimatedFromTheRunsTimeOnItsExpectedTime() {
        LocalSchedule plan = new LocalSchedule(2);
        plan.putRunning(0, new LocalSchedule.Job(1, 10_000, new ServiceTime(1000, 1350)), 100);

        assertThat(plan.workLeft(0, 350)).isEqualTo(0.75);
        assertThat(plan.workLeft(0, 5000)).isZero();
        assertThat(plan.workLeft(1, 350)).isZero(); // idle
        assertThat(plan.remainderIfSuspended(1, 350, 5)).isNull();
        assertThat(plan.suspend(1, 350, 5)).isNull();
        assertThat(plan.remainderIfSuspended(0, 350, 0).time().expectedSeconds()).isEqualTo(750);
    }

    @Test
    void aSuspensionTakesEffectAtTheRunsNextStepBoundaryAndTheGpuStaysBusyUntilThen() {
        LocalSchedule plan = new LocalSchedule(1);
        // 50 steps of 20 s expected (27 s pessimistic).
        LocalSchedule.Job slackRich = new LocalSchedule.Job(1, 10_000, new ServiceTime(1000, 1350, 50));
        LocalSchedule.Job urgent = new LocalSchedule.Job(2, 900, new ServiceTime(240, 324, 50));
        plan.enqueue(slackRich);
        plan.startNext(0, 0);
        // 410 s in, 41 % done: 20.5 steps at 20 s measured, half of step 21 left.
        plan.reportProgress(0, 0.59);

        assertThat(plan.toStepBoundary(0, 410)).isCloseTo(10, org.assertj.core.data.Offset.offset(1e-9));
        LocalSchedule.Job rest = plan.suspend(0, 410, 5);
        // The newcomer is planned to start at the boundary, not at once.
        assertThat(plan.plannedStart(urgent, 410)).isCloseTo(420, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.plannedFinish(urgent, 410, true)).isCloseTo(420 + 324,
                org.assertj.core.data.Offset.offset(1e-9));
        plan.enqueue(urgent);

        // What is left at the boundary: 29 whole steps (58 % of the work), plus the overhead.
        assertThat(rest.time().steps()).isEqualTo(29);
        assertThat(rest.time().expectedSeconds()).isCloseTo(585, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rest.time().pessimisticSeconds()).isCloseTo(788, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.suspending(0)).isTrue();
        assertThat(plan.suspendsAt(0)).isCloseTo(420, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.idleGpu()).isEqualTo(-1);
        assertThat(plan.queuedJobs()).containsExactly(urgent, rest);

        plan.suspended(0);
        assertThat(plan.suspending(0)).isFalse();
        assertThat(plan.startNext(0, 420).orElseThrow()).isEqualTo(urgent);
        plan.finish(0);
        assertThat(plan.startNext(0, 660).orElseThrow()).isEqualTo(rest);
        // The resumed run's first boundary is the end of its resume overhead.
        assertThat(plan.toStepBoundary(0, 662)).isCloseTo(3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void withoutProgressTheStepInProgressIsTakenAtItsPessimisticTimeAndUnknownStepsSuspendAtOnce() {
        LocalSchedule plan = new LocalSchedule(2);
        plan.putRunning(0, new LocalSchedule.Job(1, 10_000, new ServiceTime(1000, 1350, 10)), 100);
        plan.putRunning(1, new LocalSchedule.Job(2, 10_000, new ServiceTime(1000, 1350)), 100);

        // At its start it is at a boundary; 10 s in with no step done yet, the first step takes its pessimistic 135 s.
        assertThat(plan.toStepBoundary(0, 100)).isZero();
        plan.reportProgress(0, 1);
        assertThat(plan.toStepBoundary(0, 110)).isCloseTo(125, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(plan.remainderIfSuspended(0, 110, 5).time().steps()).isEqualTo(9);
        assertThat(plan.toStepBoundary(1, 100)).isZero();
        plan.suspend(1, 100, 5);
        assertThat(plan.suspending(1)).isFalse();
        assertThat(plan.idleGpu()).isEqualTo(1);
    }

    @Test
    void aRunThatEndsBeforeItsBoundaryOrIsTheQueuesHeadKeepsItsGpuAndIsNotQueuedTwice() {
        LocalSchedule plan = new LocalSchedule(2);
        plan.putRunning(0, new LocalSchedule.Job(1, 10_000, new ServiceTime(1000, 1350, 50)), 0);
        plan.putRunning(1, new LocalSchedule.Job(2, 20_000, new ServiceTime(1000, 1350, 50)), 0);
        plan.reportProgress(0, 0.59);
        plan.reportProgress(1, 0.59);

        LocalSchedule.Job rest = plan.suspend(0, 410, 5);
        plan.suspend(1, 410, 5);
        assertThat(plan.queued()).isEqualTo(2);
        // GPU 1's run ends first (it was in its last step, say): its queued remainder goes with it.
        plan.finish(1);
        assertThat(plan.queuedJobs()).containsExactly(rest);
        // GPU 1 then takes the queue's head, which is GPU 0's remainder: that suspension is cancelled instead.
        assertThat(plan.startNext(1, 415)).isEmpty();
        assertThat(plan.suspending(0)).isFalse();
        assertThat(plan.queued()).isZero();
        assertThat(plan.runningJobs().get(0).orElseThrow().id()).isEqualTo(1);
    }

    /**
     * The queue against a {@code TreeSet} with the same deadline order, on 200 random runs of enqueues (ties in
     * deadline included), removals, duplicate enqueues, starts and copies: the same jobs in the same order every
     * step, a copy independent of its original.
     */
    @Test
    void theQueueKeepsDeadlineOrderAndSetSemanticsAsATreeSetWould() {
        java.util.Comparator<LocalSchedule.Job> edf = (a, b) -> LocalSchedule.deadlineOrder(a.due(), a.id(), b.due(),
                b.id());
        java.util.SplittableRandom r = new java.util.SplittableRandom(2026_12_07L);
        for (int run = 0; run < 200; run++) {
            LocalSchedule plan = new LocalSchedule(1 + r.nextInt(4));
            java.util.TreeSet<LocalSchedule.Job> model = new java.util.TreeSet<>(edf);
            LocalSchedule copy = null;
            List<LocalSchedule.Job> copied = null;
            long nextId = 0;
            for (int op = 0; op < 300; op++) {
                int what = r.nextInt(10);
                if (what < 5 || model.isEmpty()) {
                    LocalSchedule.Job j = job(nextId++, 10 * r.nextInt(40), 1 + r.nextInt(100));
                    plan.enqueue(j);
                    model.add(j);
                } else if (what < 7) {
                    LocalSchedule.Job victim = model.stream().skip(r.nextInt(model.size())).findFirst().orElseThrow();
                    assertThat(plan.remove(victim)).isTrue();
                    model.remove(victim);
                    assertThat(plan.remove(victim)).as("already removed").isFalse();
                } else if (what < 8) {
                    LocalSchedule.Job again = model.stream().skip(r.nextInt(model.size())).findFirst().orElseThrow();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan.enqueue(again))
                            .isInstanceOf(IllegalArgumentException.class);
                } else if (what < 9) {
                    int gpu = plan.idleGpu();
                    if (gpu < 0) {
                        plan.finish(r.nextInt(plan.gpus()));
                        gpu = plan.idleGpu();
                    }
                    assertThat(plan.startNext(gpu, 0).orElseThrow()).isEqualTo(model.pollFirst());
                } else {
                    copy = plan.copy();
                    copied = List.copyOf(model);
                }
                assertThat(plan.queuedJobs()).containsExactlyElementsOf(model);
                assertThat(plan.queued()).isEqualTo(model.size());
            }
            if (copy != null) {
                assertThat(copy.queuedJobs()).as("a copy keeps what it copied").containsExactlyElementsOf(copied);
            }
        }
    }
}
