package dev.wanhybrid.gateway.ops;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import jdk.management.VirtualThreadSchedulerMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Notices when virtual threads stop running, writes every thread, virtual ones included, to a file named in the
 * log, and gives the virtual thread scheduler one more carrier thread so that they run again.
 *
 * <p>Why: the gateway serves HTTP and runs its job steps on virtual threads, which share as many carrier threads as
 * the machine has cores. A virtual thread that waits while it cannot unmount (pinned: under a native frame, such as
 * a class load the JVM started, or inside a class initializer) keeps its carrier. Since JDK 24 a virtual thread
 * that blocks on a monitor unmounts while still holding the monitors it has. So when every carrier is pinned by a
 * virtual thread waiting for a monitor that an unmounted virtual thread holds, the holder never gets a carrier
 * back to release it, and no virtual thread runs again: requests are accepted but never answered, and nothing is
 * logged. This happens in the executable jar: Spring Boot's nested-jar class loader reads classes under the jar's
 * monitor and, inside it, takes a second lock, so a class loaded on a virtual thread can unmount holding the jar
 * while the job steps and requests of a freshly started gateway load classes pinned (spring-boot issues 51379 and
 * 51463, open). The fault-injection harness caught it on PostgreSQL: both carriers pinned in {@code
 * NestedJarFile.getContentEntry} waiting for the jar's monitor, the job step holding it runnable with no carrier.
 *
 * <p>How: every {@code gateway.ops.virtual-thread-stall} divided by four, a platform thread starts a virtual thread
 * that records that it ran. When none has run for {@code gateway.ops.virtual-thread-stall} (default 5 s; 0 turns
 * the watchdog off), it logs an error, writes a JSON thread dump of every thread
 * ({@link HotSpotDiagnosticMXBean#dumpThreads}, as {@code jcmd Thread.dump_to_file -format=json}) to the temporary
 * folder, raises the scheduler's target parallelism by one ({@link VirtualThreadSchedulerMXBean#setParallelism}) and
 * starts a virtual thread so that the scheduler starts the new carrier at once. The new carrier runs the waiting
 * holder, which releases the monitor, and the pinned waiters go on. While the stall lasts, it adds another carrier
 * every stall period, up to {@value #MAX_EXTRA_CARRIERS} over the process's life (each is one platform thread;
 * the target is not lowered again). Counted in {@code gateway.virtual.thread.stalls}; a line is logged when the
 * stall ends. A probe that has not run yet is not started again.
 */
@Component
public class VirtualThreadWatchdog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(VirtualThreadWatchdog.class);

    /** Carriers added over the process's life at most: enough for any stall seen, few enough to stay harmless. */
    static final int MAX_EXTRA_CARRIERS = 8;

    private final Duration stallAfter;
    private final Executor virtualThreads;
    private final LongSupplier nanoTime;
    private final Dumper dumper;
    private final Scheduler scheduler;
    private final Counter stalls;
    private final PeriodicTask rounds;
    private final AtomicLong lastRan;
    private final AtomicBoolean probePending = new AtomicBoolean();
    private volatile boolean stalled;
    private long lastCarrierAdded;
    private volatile int carriersAdded;

    /** Writes a thread dump; returns where. */
    @FunctionalInterface
    interface Dumper {
        Path dump() throws IOException;
    }

    /** The virtual thread scheduler's target parallelism. */
    public interface Scheduler {
        int parallelism();

        /** Sets the target, and makes a larger one take effect now. */
        void parallelism(int carriers);

        /**
         * The JDK's own scheduler, through its management interface (JDK 24 and later). A larger target starts no
         * carrier by itself: the pool grows when work is submitted, and the virtual thread that waits for a carrier
         * was submitted before. So a virtual thread is started after the target is raised.
         */
        static Scheduler jdk() {
            VirtualThreadSchedulerMXBean bean = ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);
            return new Scheduler() {
                @Override
                public int parallelism() {
                    return bean.getParallelism();
                }

                @Override
                public void parallelism(int carriers) {
                    bean.setParallelism(carriers);
                    Thread.ofVirtual().name("vthread-watchdog-kick").start(() -> {});
                }
            };
        }
    }

    @Autowired
    public VirtualThreadWatchdog(@Value("${gateway.ops.virtual-thread-stall:5s}") Duration stallAfter,
            MeterRegistry meters) {
        this(stallAfter, task -> Thread.ofVirtual().name("vthread-watchdog-probe").start(task), System::nanoTime,
                VirtualThreadWatchdog::dumpAllThreads, Scheduler.jdk(), meters);
    }

    VirtualThreadWatchdog(Duration stallAfter, Executor virtualThreads, LongSupplier nanoTime, Dumper dumper,
            Scheduler scheduler, MeterRegistry meters) {
        if (stallAfter.isNegative()) {
            throw new IllegalArgumentException("gateway.ops.virtual-thread-stall must not be negative: " + stallAfter);
        }
        this.stallAfter = stallAfter;
        this.virtualThreads = virtualThreads;
        this.nanoTime = nanoTime;
        this.dumper = dumper;
        this.scheduler = scheduler;
        this.stalls = Counter.builder("gateway.virtual.thread.stalls")
                .description("Times no virtual thread ran for gateway.ops.virtual-thread-stall (each got a carrier "
                        + "thread more while any was left to add)")
                .register(meters);
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
                stalls.increment();
                report(Duration.ofNanos(since));
                addCarrier(nanoTime.getAsLong());
            } else if (nanoTime.getAsLong() - lastCarrierAdded >= stallAfter.toNanos()) {
                addCarrier(nanoTime.getAsLong());
            }
        } else if (stalled) {
            stalled = false;
            log.warn("virtual threads run again (scheduler parallelism {})", parallelismOrUnknown());
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

    /**
     * One carrier more (at most one per stall period, {@value #MAX_EXTRA_CARRIERS} in all).
     */
    private void addCarrier(long now) {
        lastCarrierAdded = now;
        if (carriersAdded >= MAX_EXTRA_CARRIERS) {
            log.error("virtual threads still stalled, and {} carrier threads were added already: not adding more",
                    carriersAdded);
            return;
        }
        int before;
        try {
            before = scheduler.parallelism();
        } catch (RuntimeException cannot) {
            log.error("could not read the virtual thread scheduler's parallelism", cannot);
            return;
        }
        carriersAdded++; // before the call: the stall may end before it returns
        try {
            scheduler.parallelism(before + 1);
        } catch (RuntimeException cannot) {
            carriersAdded--;
            log.error("could not give the virtual thread scheduler another carrier thread", cannot);
            return;
        }
        log.warn("gave the virtual thread scheduler a carrier thread more ({} -> {}) to end the stall", before,
                before + 1);
    }

    /** Stalls seen since start (each one given a carrier while any was left to add). */
    long stallsEnded() {
        return (long) stalls.count();
    }

    private String parallelismOrUnknown() {
        try {
            return Integer.toString(scheduler.parallelism());
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /** Carrier threads this watchdog added. */
    int carriersAdded() {
        return carriersAdded;
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
