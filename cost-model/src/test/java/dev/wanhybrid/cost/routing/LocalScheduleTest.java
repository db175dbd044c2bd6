package dev.wanhybrid.cost.routing;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void workWithSlackBeyondTheHorizonIsNotCommittedInIt() {
        LocalSchedule plan = new LocalSchedule(2);
        plan.enqueue(job(1, 200, 100));        // must start by 100
        plan.enqueue(job(2, 86_400, 100));     // can wait for the night

        assertThat(plan.committedWithin(0, 300)).isEqualTo(100);
        assertThat(plan.backlogSeconds(0)).isEqualTo(200);
    }
}
