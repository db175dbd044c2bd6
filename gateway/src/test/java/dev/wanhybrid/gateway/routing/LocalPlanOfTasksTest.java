package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cost.routing.LocalAdmission;

import java.time.Duration;

import java.util.HashMap;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.routing.LocalSchedule;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner's plan of the in-JVM engines is built job by job from the tasks they report, so admitting a newcomer
 * weighs it against the deadlines already promised, which a plan from counts and the wait cannot see.
 */
class LocalPlanOfTasksTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final double T = NOW.getEpochSecond();
    private static final VideoSize SD = new VideoSize(832, 480);
    private static final ServiceTime TWO_HUNDRED = new ServiceTime(200, 200);

    private static LocalQueueState.Task task(Integer dueIn, Integer startedAgo, long arrival) {
        return new LocalQueueState.Task("wan2.1-t2v-1.3b", SD, 5, dueIn == null ? null : NOW.plusSeconds(dueIn),
                startedAgo == null ? null : NOW.minusSeconds(startedAgo), arrival);
    }

    @Test
    void aNewcomerThatWouldMakeAQueuedJobLateIsRefusedWhileOneThatFitsBehindItIsAdmitted() {
        // One GPU: a run started 100 s ago (200 s) frees it in 100 s; a queued job due in 400 s runs 100..300.
        LocalSchedule plan = DefaultRoutePlanner.planOfTasks(List.of(task(null, 100, 1), task(400, null, 2)), 1,
                t -> TWO_HUNDRED);

        assertThat(plan.running()).isEqualTo(1);
        assertThat(plan.queued()).isEqualTo(1);
        // Due in 350 s it would go first (100..300) and push the queued job to 500, past its 400.
        assertThat(plan.admits(new LocalSchedule.Job(7, T + 350, TWO_HUNDRED), T)).isFalse();
        // Due in 700 s it runs after it (300..500).
        assertThat(plan.admits(new LocalSchedule.Job(8, T + 700, TWO_HUNDRED), T)).isTrue();
        assertThat(plan.plannedFinish(new LocalSchedule.Job(8, T + 700, TWO_HUNDRED), T, true)).isEqualTo(T + 500);

        // Planned from counts and the wait alone (the GPU busy for the 100 s the running job has left), the queued
        // job's deadline is unknown and the first newcomer is admitted.
        LocalSchedule counts = new LocalSchedule(1);
        counts.putRunning(0, new LocalSchedule.Job(-1, Double.MAX_VALUE, new ServiceTime(100, 100)), T);
        assertThat(counts.admits(new LocalSchedule.Job(7, T + 350, TWO_HUNDRED), T)).isTrue();
    }

    @Test
    void queuedTasksKeepTheirDeadlineOrderAndArrivalBreaksTiesBeforeANewcomer() {
        LocalSchedule plan = DefaultRoutePlanner.planOfTasks(List.of(task(null, null, 1), task(900, null, 3),
                task(900, null, 2), task(600, null, 4)), 2, t -> TWO_HUNDRED);

        assertThat(plan.queuedJobs()).extracting(LocalSchedule.Job::due)
                .containsExactly(T + 600, T + 900, T + 900, Double.POSITIVE_INFINITY);
        List<LocalSchedule.Job> q = plan.queuedJobs();
        assertThat(q.get(1).id()).isLessThan(q.get(2).id()).isNegative();
        // A newcomer due with them goes after both (its id is positive).
        assertThat(LocalSchedule.deadlineOrder(T + 900, q.get(2).id(), T + 900, 1)).isNegative();
    }

    private static final ServiceTime STEPPED = new ServiceTime(200, 300, 50);

    private static LocalQueueState.Task run(String id, Integer dueIn, Integer startedAgo, long arrival, Instant hedgeAt,
            double workLeftAtStart, double workLeft, boolean suspending) {
        return new LocalQueueState.Task("wan2.1-t2v-1.3b", SD, 5, dueIn == null ? null : NOW.plusSeconds(dueIn),
                startedAgo == null ? null : NOW.minusSeconds(startedAgo), arrival,
                new LocalQueueState.Run(id, "video_" + id, hedgeAt, workLeftAtStart, workLeft, suspending));
    }

    @Test
    void whatPreemptionNeedsComesFromTheTasksHedgePointsRemaindersProgressAndPendingSuspensions() {
        Map<Long, LocalQueueState.Run> runs = new HashMap<>();
        LocalSchedule plan = DefaultRoutePlanner.planOfTasks(List.of(
                run("hedged", 900, 50, 1, NOW.plusSeconds(600), 1, Double.NaN, false),
                run("asked", 3600, 100, 2, null, 1, 0.51, true),
                run("resumes", 3600, null, 3, null, 0.5, Double.NaN, false)), 2, t -> STEPPED, T, 5, runs);

        assertThat(plan.runningJobs().get(0).orElseThrow().hedgeAt()).isEqualTo(T + 600);
        // Asked to suspend: it runs on to its step boundary, half a step away at its measured pace (24.5 of its 50
        // steps in 100 s), its rest queued again.
        assertThat(plan.suspending(1)).isTrue();
        assertThat(plan.suspendsAt(1)).isCloseTo(T + 0.5 * 100 / 24.5, org.assertj.core.data.Offset.offset(1e-6));
        // Queued: the task that resumes (half its work left, 100 s + 5 s to resume) and the asked run's rest.
        assertThat(plan.queuedJobs()).hasSize(2);
        LocalSchedule.Job resumes = plan.queuedJobs().stream().filter(j -> runs.get(j.id()).taskId().equals("resumes"))
                .findFirst().orElseThrow();
        assertThat(resumes.time().expectedSeconds()).isEqualTo(105);
        assertThat(resumes.time().pessimisticSeconds()).isEqualTo(155);
        assertThat(resumes.time().steps()).isEqualTo(25);
        assertThat(runs).hasSize(3);
        assertThat(runs.values()).extracting(LocalQueueState.Run::taskId)
                .containsExactlyInAnyOrder("hedged", "asked", "resumes");
    }

    @Test
    void aQueuedTaskAtItsLatestStartWithEveryGpuBusyGetsTheRunTheCoreSuspendsAndNothingBeforeItsLatestStart() {
        LocalAdmission preempting = new LocalAdmission().withPreemptibleWork(true);
        LocalQueueState.Task running = run("long", 3600, 100, 1, null, 1, 0.5, false);

        // Due in 280 s, 300 s on pessimistic times: its latest start has passed; the run due in an hour is suspended.
        LocalQueueState atLatest = new LocalQueueState(1, 1, 1, 8, Duration.ZERO,
                List.of(running, run("urgent", 280, null, 2, null, 1, Double.NaN, false)), true);
        assertThat(DefaultRoutePlanner.latestStartSuspension(atLatest, T, preempting, t -> STEPPED))
                .hasValueSatisfying(s -> {
                    assertThat(s.victim().taskId()).isEqualTo("long");
                    assertThat(s.waiting().taskId()).isEqualTo("urgent");
                });

        // Due in 400 s: its latest start is 100 s away, nothing yet.
        LocalQueueState early = new LocalQueueState(1, 1, 1, 8, Duration.ZERO,
                List.of(running, run("urgent", 400, null, 2, null, 1, Double.NaN, false)), true);
        assertThat(DefaultRoutePlanner.latestStartSuspension(early, T, preempting, t -> STEPPED)).isEmpty();
        // Pre-emption off, or engines that cannot suspend: nothing.
        assertThat(DefaultRoutePlanner.latestStartSuspension(atLatest, T, new LocalAdmission(), t -> STEPPED))
                .isEmpty();
        LocalQueueState cannot = new LocalQueueState(1, 1, 1, 8, Duration.ZERO, atLatest.tasks(), false);
        assertThat(DefaultRoutePlanner.latestStartSuspension(cannot, T, preempting, t -> STEPPED)).isEmpty();
        // A hedged run is never suspended.
        LocalQueueState hedged = new LocalQueueState(1, 1, 1, 8, Duration.ZERO, List.of(
                run("long", 3600, 100, 1, NOW.plusSeconds(3000), 1, 0.5, false),
                run("urgent", 280, null, 2, null, 1, Double.NaN, false)), true);
        assertThat(DefaultRoutePlanner.latestStartSuspension(hedged, T, preempting, t -> STEPPED)).isEmpty();
    }
}
