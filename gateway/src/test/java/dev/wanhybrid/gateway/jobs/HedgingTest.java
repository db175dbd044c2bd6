package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.TaskSnapshot;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The hedge point's test: not started, or progress projecting an end after the deadline, sends the job away. */
class HedgingTest {

    static final Instant NOW = Instant.parse("2026-11-22T04:02:00Z");
    static final Instant DEADLINE = NOW.plusSeconds(180);

    @Test
    void aRunNotStartedAtItsHedgePointLeaves() {
        assertThat(Hedging.lateAtHedgePoint(snapshot(TaskSnapshot.State.PENDING, -1, null), NOW, DEADLINE))
                .hasValueSatisfying(why -> assertThat(why).contains("not started"));
    }

    @Test
    void progressProjectsTheEndFromTheGpuTimeSoFar() {
        // 120 s for 25 %: 360 s to go, ending 180 s after the deadline.
        TaskSnapshot quarter = snapshot(TaskSnapshot.State.RUNNING, 25, "120");
        assertThat(Hedging.projectedEnd(quarter, NOW)).contains(NOW.plusSeconds(360));
        assertThat(Hedging.lateAtHedgePoint(quarter, NOW, DEADLINE)).isPresent();
        // 120 s for 40 %: 180 s to go, ending exactly at the deadline: in time.
        assertThat(Hedging.lateAtHedgePoint(snapshot(TaskSnapshot.State.RUNNING, 40, "120"), NOW, DEADLINE))
                .isEmpty();
        // One step further behind: late.
        assertThat(Hedging.lateAtHedgePoint(snapshot(TaskSnapshot.State.RUNNING, 39, "120"), NOW, DEADLINE))
                .isPresent();
    }

    @Test
    void aRunWithNoProgressYetCountsAsLateAndOneWithoutADeadlineNever() {
        assertThat(Hedging.lateAtHedgePoint(snapshot(TaskSnapshot.State.RUNNING, 0, "120"), NOW, DEADLINE))
                .isPresent();
        assertThat(Hedging.lateAtHedgePoint(snapshot(TaskSnapshot.State.PENDING, -1, null), NOW, null)).isEmpty();
    }

    @Test
    void theGpuTimeOfAHedgedJobHasItsOwnLedgerEntry() {
        assertThat(Hedging.entryId("video_1")).isEqualTo("video_1:hedge").isNotEqualTo("video_1");
    }

    private static TaskSnapshot snapshot(TaskSnapshot.State state, int progress, String gpuSeconds) {
        return new TaskSnapshot("local-1", state, progress, null, null,
                gpuSeconds == null ? null : new BigDecimal(gpuSeconds), null, null);
    }
}
