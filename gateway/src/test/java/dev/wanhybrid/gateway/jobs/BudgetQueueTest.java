package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When a job waiting under a spent budget whose policy is queue is tried again, and when it gives up. */
class BudgetQueueTest {

    private static final Instant T0 = Instant.parse("2026-03-01T23:50:00Z");
    private static final Instant MIDNIGHT = Instant.parse("2026-03-02T00:00:00Z");

    private static JobRoute.BudgetWait wait(Instant resetsAt, Instant givesUpAt) {
        return new JobRoute.BudgetWait("tenant:demo/day", resetsAt == null ? null : resetsAt.getEpochSecond(),
                givesUpAt.getEpochSecond(), BudgetQueue.MAX_WAIT_BOUND, "waits");
    }

    private static GenerationSpec spec(Duration deadline) {
        return new GenerationSpec("demo", "auto", TaskKind.T2V, "a lighthouse", null, new VideoSize(832, 480), 5,
                null, null, AudioSpec.NONE, null, new RoutingHints(null, null, null, deadline, false));
    }

    @Test
    void aJobGivesUpAtItsDeadlineOrTheLongestWaitWhicheverComesFirst() {
        assertThat(BudgetQueue.giveUp(T0, Duration.ofMinutes(10), Duration.ofHours(24)))
                .isEqualTo(new BudgetQueue.GiveUp(T0.plusSeconds(600), BudgetQueue.DEADLINE_BOUND));
        assertThat(BudgetQueue.giveUp(T0, Duration.ofHours(48), Duration.ofHours(24)))
                .isEqualTo(new BudgetQueue.GiveUp(T0.plus(Duration.ofHours(24)), BudgetQueue.MAX_WAIT_BOUND));
        assertThat(BudgetQueue.giveUp(T0, null, Duration.ofHours(1)).bound()).isEqualTo(BudgetQueue.MAX_WAIT_BOUND);
    }

    @Test
    void aWaitingJobIsTriedAgainAtTheResetOnTheDotWhenThatComesBeforeTheNextRecheck() {
        Instant next = BudgetQueue.nextAttempt(T0, Duration.ofHours(1), wait(MIDNIGHT, T0.plus(Duration.ofDays(1))));

        assertThat(next).isEqualTo(MIDNIGHT);
    }

    @Test
    void otherwiseAfterTheRecheckIntervalToSeeWhetherAnOwnedEngineHasRoomOrTheCapWasRaised() {
        assertThat(BudgetQueue.nextAttempt(T0, Duration.ofMinutes(1), wait(MIDNIGHT, T0.plus(Duration.ofDays(1)))))
                .isEqualTo(T0.plusSeconds(60));
        // A reset already past (the period changed while it waited) does not pull the next try into the past.
        assertThat(BudgetQueue.nextAttempt(MIDNIGHT.plusSeconds(5), Duration.ofMinutes(1),
                wait(MIDNIGHT, MIDNIGHT.plus(Duration.ofDays(1))))).isEqualTo(MIDNIGHT.plusSeconds(65));
        // No cap applies any more (removed): just the recheck.
        assertThat(BudgetQueue.nextAttempt(T0, Duration.ofMinutes(1), wait(null, T0.plus(Duration.ofDays(1)))))
                .isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aWaitingJobIsDueWhenItGivesUpSoItFailsOnTime() {
        Instant end = T0.plusSeconds(30);

        assertThat(BudgetQueue.nextAttempt(T0, Duration.ofHours(1), wait(MIDNIGHT, end))).isEqualTo(end);
        assertThat(BudgetQueue.nextAttempt(end.plusSeconds(1), Duration.ofHours(1), wait(MIDNIGHT, end)))
                .isEqualTo(end.plusSeconds(1));
    }

    @Test
    void aJobRoutedAfterItsWaitIsRoutedForWhatIsLeftOfItsDeadline() {
        GenerationSpec later = BudgetQueue.withDeadlineLeft(spec(Duration.ofMinutes(10)), T0,
                T0.plus(Duration.ofMinutes(4)));
        assertThat(later.routing().deadline()).isEqualTo(Duration.ofMinutes(6));
        assertThat(later.prompt()).isEqualTo("a lighthouse");

        assertThat(BudgetQueue.withDeadlineLeft(spec(Duration.ofMinutes(1)), T0, T0.plus(Duration.ofMinutes(4)))
                .routing().deadline()).isEqualTo(Duration.ZERO);
        GenerationSpec noDeadline = spec(null);
        assertThat(BudgetQueue.withDeadlineLeft(noDeadline, T0, T0.plusSeconds(999))).isSameAs(noDeadline);
    }

    @Test
    void theRouteSaysWhatEndedTheWait() {
        JobRoute.BudgetWait w = wait(MIDNIGHT, MIDNIGHT.plus(Duration.ofDays(1)));

        assertThat(BudgetQueue.admittedBecause("local", w, T0, T0.plusSeconds(30))).contains("owned engine (local)")
                .contains("Waited 30 s").contains("tenant:demo/day");
        assertThat(BudgetQueue.admittedBecause("demo-remote", w, T0, T0.plusSeconds(30)))
                .contains("owned engine (demo-remote)");
        assertThat(BudgetQueue.admittedBecause("cloud", w, T0, MIDNIGHT.plusSeconds(1))).contains("period")
                .contains("reset");
        assertThat(BudgetQueue.admittedBecause("cloud", w, T0, T0.plusSeconds(60))).contains("raised");
    }
}
