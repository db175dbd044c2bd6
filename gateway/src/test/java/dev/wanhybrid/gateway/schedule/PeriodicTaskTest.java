package dev.wanhybrid.gateway.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicTaskTest {

    @Test
    void roundsRepeatAndAFailingRoundDoesNotEndTheSchedule() {
        AtomicInteger calls = new AtomicInteger();
        try (PeriodicTask task = PeriodicTask.every("test-rounds", Duration.ofMillis(10), () -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("every second round fails");
            }
        })) {
            task.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> task.rounds() >= 6);
            assertThat(task.failures()).isBetween(task.rounds() / 2 - 1, task.rounds() / 2 + 1);
            assertThat(task.isRunning()).isTrue();
        }
    }

    @Test
    void stopWaitsForTheRoundInProgressAndNoRoundFollows() throws Exception {
        CountDownLatch inRound = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger started = new AtomicInteger();
        PeriodicTask task = new PeriodicTask("test-stop", Duration.ZERO, Duration.ofMillis(5), () -> {
            started.incrementAndGet();
            inRound.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        task.start();
        assertThat(inRound.await(10, TimeUnit.SECONDS)).isTrue();

        task.stop();

        assertThat(interrupted).as("the round in progress was interrupted and had ended when stop returned").isTrue();
        assertThat(task.rounds()).isEqualTo(1);
        Thread.sleep(50);
        assertThat(started).as("no round after stop").hasValue(1);
        assertThat(task.isRunning()).isFalse();
    }

    @Test
    void stopAfterRoundLetsTheRoundInProgressFinishUninterruptedAndNoRoundFollows() throws Exception {
        CountDownLatch inRound = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger started = new AtomicInteger();
        PeriodicTask task = new PeriodicTask("test-stop-after-round", Duration.ZERO, Duration.ofMillis(5), () -> {
            if (started.incrementAndGet() > 1) {
                return;
            }
            inRound.countDown();
            try {
                Thread.sleep(300);
                finished.set(true);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        task.start();
        assertThat(inRound.await(10, TimeUnit.SECONDS)).isTrue();

        task.stopAfterRound();

        assertThat(interrupted).as("the round in progress was interrupted").isFalse();
        assertThat(finished).as("the round in progress had finished when stopAfterRound returned").isTrue();
        Thread.sleep(50);
        assertThat(started).as("no round after stop").hasValue(1);
        assertThat(task.isRunning()).isFalse();
    }

    @Test
    void aZeroDelaySwitchesTheTaskOffAndStartIsIdempotent() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PeriodicTask off = PeriodicTask.every("test-off", Duration.ZERO, calls::incrementAndGet);
        off.start();
        Thread.sleep(50);
        assertThat(off.isRunning()).isFalse();
        assertThat(calls).hasValue(0);

        try (PeriodicTask on = PeriodicTask.every("test-on", Duration.ofHours(1), calls::incrementAndGet)) {
            on.start();
            on.start();
            assertThat(on.isRunning()).isTrue();
            Thread.sleep(50);
            assertThat(calls).as("the first round waits one delay").hasValue(0);
        }
    }

    @Test
    void wakeRunsARoundSoonAndFoldsWakeUpsThatArriveWhileOneIsPending() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        PeriodicTask task = PeriodicTask.every("test-wake", Duration.ofHours(1), () -> {
            calls.incrementAndGet();
            firstStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        task.wake();
        assertThat(calls).as("a stopped task ignores wake-ups").hasValue(0);

        task.start();
        try {
            task.wake();
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).as("woken long before its hour").isTrue();
            for (int i = 0; i < 5; i++) {
                task.wake();
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> task.rounds() >= 2);
            Thread.sleep(100);
            assertThat(calls).as("the five wake-ups during a round fold into one more round").hasValue(2);
        } finally {
            task.stop();
        }
    }

    @Test
    void aStoppedTaskStartsAgain() {
        AtomicInteger calls = new AtomicInteger();
        try (PeriodicTask task = new PeriodicTask("test-restart", Duration.ZERO, Duration.ofMillis(10),
                calls::incrementAndGet)) {
            task.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
            task.stop();
            int afterStop = calls.get();
            task.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > afterStop);
        }
    }
}
