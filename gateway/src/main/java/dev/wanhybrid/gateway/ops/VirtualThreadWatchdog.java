package dev.wanhybrid.gateway.ops;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Notices when virtual threads stop running and writes every thread, virtual ones included, to a file named in the
 * log, so that a gateway that goes silent says why.
 *
 * <p>Why: the gateway serves HTTP and runs its job steps on virtual threads, which share as many carrier threads as
 * the machine has cores. If every carrier is held by a virtual thread that cannot unmount (pinned: blocked inside a
 * class initializer, while loading a class, or under a native frame) and waits for something only an unmounted
 * virtual thread can release, no virtual thread runs again: requests are accepted but never answered, and nothing
 * is logged. A gateway restarted after {@code kill -9} on an H2 file went silent that way, or in a way that looks
 * the same from outside, twice in the tests, with nothing in its log; a platform thread dump
 * ({@code jcmd Thread.print}) does not list unmounted virtual threads.
 *
 * <p>How: every {@code gateway.ops.virtual-thread-stall} divided by four, a platform thread starts a virtual thread
 * that records that it ran. When none has run for {@code gateway.ops.virtual-thread-stall} (default 10 s; 0 turns
 * the watchdog off), it logs an error and writes a JSON thread dump of every thread
 * ({@link HotSpotDiagnosticMXBean#dumpThreads}, as {@code jcmd Thread.dump_to_file -format=json}) to the temporary
 * folder; once per stall, and a line when it ends. A probe that has not run yet is not started again. It changes nothing the gateway does.
 */
@Component
public class VirtualThreadWatchdog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(VirtualThreadWatchdog.class);

    private final Duration stallAfter;
    private final Executor virtualThreads;
    private final LongSupplier nanoTime;
    private final Dumper dumper;
    private final PeriodicTask rounds;
    private final AtomicLong lastRan;
    private final AtomicBoolean probePending = new AtomicBoolean();
    private volatile boolean stalled;

    /** Writes a thread dump; returns where. */
    @FunctionalInterface
    interface Dumper {
        Path dump() throws IOException;
    }

    @Autowired
    public VirtualThreadWatchdog(@Value("${gateway.ops.virtual-thread-stall:10s}") Duration stallAfter) {
        this(stallAfter, task -> Thread.ofVirtual().name("vthread-watchdog-probe").start(task), System::nanoTime,
                VirtualThreadWatchdog::dumpAllThreads);
    }

    VirtualThreadWatchdog(Duration stallAfter, Executor virtualThreads, LongSupplier nanoTime, Dumper dumper) {
        if (stallAfter.isNegative()) {
            throw new IllegalArgumentException("gateway.ops.virtual-thread-stall must not be negative: " + stallAfter);
        }
        this.stallAfter = stallAfter;
        this.virtualThreads = virtualThreads;
        this.nanoTime = nanoTime;
        this.dumper = dumper;
        this.lastRan = new AtomicLong(nanoTime.getAsLong());
        Duration every = stallAfter.dividedBy(4);
        this.rounds = PeriodicTask.every("vthread-watchdog",
                stallAfter.isZero() || every.compareTo(Duration.ofMillis(1)) >= 0 ? every : Duration.ofMillis(1),
                this::round);
    }

    /** One round: check how long ago a probe ran, then start the next probe unless one is still waiting to run. */
    void round() {
        long now = nanoTime.getAsLong();
        long since = now - lastRan.get();
        if (since >= stallAfter.toNanos()) {
            if (!stalled) {
                stalled = true;
                report(Duration.ofNanos(since));
            }
        } else if (stalled) {
            stalled = false;
            log.warn("virtual threads run again");
        }
        if (probePending.compareAndSet(false, true)) {
            virtualThreads.execute(() -> {
                lastRan.set(nanoTime.getAsLong());
                probePending.set(false);
            });
        }
    }

    private void report(Duration since) {
        String where;
        try {
            where = dumper.dump().toString();
        } catch (IOException | RuntimeException e) {
            where = "(the dump failed: " + e + ")";
        }
        log.error("no virtual thread has run for {}: HTTP requests and job steps are stalled (carrier threads "
                + "pinned?); every thread, virtual ones included: {}", since, where);
    }

    /** Whether the last round found virtual threads stalled. */
    boolean stalled() {
        return stalled;
    }

    static Path dumpAllThreads() throws IOException {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "gateway-threads-" + ProcessHandle.current().pid()
                + "-" + Instant.now().toEpochMilli() + ".json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        return file;
    }

    @Override
    public void start() {
        if (stallAfter.isZero()) {
            return;
        }
        lastRan.set(nanoTime.getAsLong());
        rounds.start();
    }

    @Override
    public void stop() {
        rounds.stop();
    }

    @Override
    public boolean isRunning() {
        return rounds.isRunning();
    }
}
