package dev.wanhybrid.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VirtualThreadWatchdogTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Runnable> probes = new ArrayList<>();
    final AtomicInteger dumps = new AtomicInteger();
    final AtomicInteger parallelism = new AtomicInteger(2);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    VirtualThreadWatchdog watchdog(Duration stall) {
        return new VirtualThreadWatchdog(stall, probes::add, now::get, () -> {
            dumps.incrementAndGet();
            return Path.of("dump.json");
        }, new VirtualThreadWatchdog.Scheduler() {
            @Override
            public int parallelism() {
                return parallelism.get();
            }

            @Override
            public void parallelism(int carriers) {
                parallelism.set(carriers);
            }
        }, meters);
    }

    double stallsCounted() {
        return meters.counter("gateway.virtual.thread.stalls").count();
    }

    void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    void runProbes() {
        List<Runnable> pending = new ArrayList<>(probes);
        probes.clear();
        pending.forEach(Runnable::run);
    }

    @Test
    void probesThatRunKeepItQuiet() {
        VirtualThreadWatchdog watchdog = watchdog(Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) {
            watchdog.round();
            advance(Duration.ofSeconds(2));
            runProbes();
            advance(Duration.ofMillis(500));
        }
        assertThat(watchdog.stalled()).isFalse();
        assertThat(dumps).hasValue(0);
        assertThat(parallelism).as("no carrier added").hasValue(2);
        assertThat(stallsCounted()).isZero();
    }

    @Test
    void aStallIsReportedOnceWithADumpGetsACarrierPerStallPeriodAndItsEndIsNoticed() {
        VirtualThreadWatchdog watchdog = watchdog(Duration.ofSeconds(10));
        watchdog.round();
        assertThat(probes).hasSize(1);
        // The probe never runs: no carrier is free.
        for (int i = 0; i < 3; i++) {
            advance(Duration.ofMillis(2500));
            watchdog.round();
        }
        assertThat(watchdog.stalled()).as("7.5 s is not a stall yet").isFalse();
        assertThat(parallelism).hasValue(2);
        advance(Duration.ofMillis(2500));
        watchdog.round();
        assertThat(watchdog.stalled()).isTrue();
        assertThat(parallelism).as("a carrier more at once").hasValue(3);
        assertThat(stallsCounted()).isEqualTo(1);
        for (int i = 0; i < 6; i++) {
            advance(Duration.ofMillis(2500));
            watchdog.round();
        }
        assertThat(probes).as("no second probe while the first waits").hasSize(1);
        assertThat(dumps).as("one dump per stall").hasValue(1);
        assertThat(stallsCounted()).as("one stall").isEqualTo(1);
        assertThat(parallelism).as("still stalled 15 s later: one more per 10 s").hasValue(4);

        runProbes();
        advance(Duration.ofMillis(100));
        watchdog.round();
        assertThat(watchdog.stalled()).isFalse();
        assertThat(probes).hasSize(1);

        for (int i = 0; i < 5; i++) {
            advance(Duration.ofMillis(2500));
            watchdog.round();
        }
        assertThat(dumps).as("a second stall is a second report").hasValue(2);
        assertThat(stallsCounted()).isEqualTo(2);
        assertThat(parallelism).hasValue(5);
    }

    @Test
    void itAddsAtMostEightCarriersInAllAndSurvivesASchedulerThatRefuses() {
        VirtualThreadWatchdog watchdog = watchdog(Duration.ofSeconds(1));
        watchdog.round();
        for (int i = 0; i < 200; i++) {
            advance(Duration.ofMillis(250));
            watchdog.round();
        }
        assertThat(watchdog.carriersAdded()).isEqualTo(VirtualThreadWatchdog.MAX_EXTRA_CARRIERS);
        assertThat(parallelism).hasValue(2 + VirtualThreadWatchdog.MAX_EXTRA_CARRIERS);

        VirtualThreadWatchdog refused = new VirtualThreadWatchdog(Duration.ofSeconds(1), task -> { }, now::get,
                () -> Path.of("dump.json"), new VirtualThreadWatchdog.Scheduler() {
                    @Override
                    public int parallelism() {
                        return 2;
                    }

                    @Override
                    public void parallelism(int carriers) {
                        throw new UnsupportedOperationException("fixed");
                    }
                }, meters);
        refused.round();
        advance(Duration.ofSeconds(2));
        refused.round();
        assertThat(refused.stalled()).isTrue();
        assertThat(refused.carriersAdded()).isZero();
    }

    @Test
    void zeroSwitchesItOffAndNegativeIsRefused() {
        VirtualThreadWatchdog off = watchdog(Duration.ZERO);
        off.start();
        assertThat(off.isRunning()).isFalse();
        off.stop();
        assertThatThrownBy(() -> watchdog(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRealOneSeesRunningVirtualThreadsAsRunning() throws Exception {
        VirtualThreadWatchdog real = new VirtualThreadWatchdog(Duration.ofSeconds(2), meters);
        real.start();
        try {
            Thread.sleep(3000);
            assertThat(real.stalled()).isFalse();
        } finally {
            real.stop();
        }
    }

    @Test
    void theDumpListsVirtualThreads() throws Exception {
        Thread parked = Thread.ofVirtual().name("parked-for-the-dump").start(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path dump = VirtualThreadWatchdog.dumpAllThreads();
        try {
            assertThat(java.nio.file.Files.readString(dump)).contains("\"threadDump\"").contains("parked-for-the-dump");
        } finally {
            parked.interrupt();
            java.nio.file.Files.deleteIfExists(dump);
        }
    }
}
