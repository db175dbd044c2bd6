package dev.wanhybrid.gateway.ops;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM's main: builds, on purpose, the stall that hung the gateway's executable jar, and runs the real
 * watchdog against it. Run it with {@code -Djdk.virtualThreadScheduler.parallelism=1}, so one pinned virtual thread
 * holds every carrier.
 *
 * <ol>
 *   <li>A platform thread holds monitor {@code N}.
 *   <li>Virtual thread "holder" takes monitor {@code M}, then blocks on {@code N}: since JDK 24 it unmounts, still
 *       holding {@code M} (as the job step held the nested jar's monitor while it waited for the jar's file lock).
 *   <li>Virtual thread "pinned" starts initialising a class whose initializer takes {@code M}: a virtual thread in a
 *       class initializer cannot unmount, so it blocks on {@code M} and keeps the only carrier (as the requests and
 *       job steps did, loading classes the JVM asked for).
 *   <li>The platform thread lets go of {@code N}: the holder could go on, but no carrier is free to run it.
 * </ol>
 *
 * <p>Exits 0 when both virtual threads finished within the seconds of the second argument, 3 when they did not, 2
 * when the stall could not be built. First argument {@code heal} gives the watchdog the JDK's scheduler;
 * {@code watch-only} a scheduler that adds nothing, to show that the stall does not end by itself.
 */
public final class PinnedCarriers {

    static final Object M = new Object();
    static final Object N = new Object();

    static final class InitializerTakesM {
        static {
            synchronized (M) {
                M.hashCode();
            }
        }

        static void touch() {}
    }

    private PinnedCarriers() {}

    public static void main(String[] args) throws Exception {
        boolean heal = args[0].equals("heal");
        long waitSeconds = Long.parseLong(args[1]);
        CountDownLatch platformHoldsN = new CountDownLatch(1);
        CountDownLatch letGoOfN = new CountDownLatch(1);
        CountDownLatch holderHoldsM = new CountDownLatch(1);
        Thread platform = Thread.ofPlatform().name("holds-n").start(() -> {
            synchronized (N) {
                platformHoldsN.countDown();
                try {
                    letGoOfN.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        platformHoldsN.await();
        Thread holder = Thread.ofVirtual().name("holder").start(() -> {
            synchronized (M) {
                holderHoldsM.countDown();
                synchronized (N) {
                    N.hashCode();
                }
            }
        });
        holderHoldsM.await();
        if (!awaitBlocked(holder)) {
            System.exit(2);
        }
        Thread pinned = Thread.ofVirtual().name("pinned").start(InitializerTakesM::touch);
        if (!awaitBlocked(pinned)) {
            System.exit(2);
        }
        letGoOfN.countDown();
        platform.join();

        VirtualThreadWatchdog.Scheduler scheduler = heal ? VirtualThreadWatchdog.Scheduler.jdk()
                : new VirtualThreadWatchdog.Scheduler() {
                    @Override
                    public int parallelism() {
                        return 1;
                    }

                    @Override
                    public void parallelism(int carriers) {
                        // adds nothing
                    }
                };
        VirtualThreadWatchdog watchdog = new VirtualThreadWatchdog(Duration.ofSeconds(1),
                task -> Thread.ofVirtual().name("probe").start(task), System::nanoTime,
                () -> Path.of("(no dump in this test)"), scheduler, new SimpleMeterRegistry());
        watchdog.start();
        holder.join(TimeUnit.SECONDS.toMillis(waitSeconds));
        pinned.join(TimeUnit.SECONDS.toMillis(1));
        boolean ended = !holder.isAlive() && !pinned.isAlive();
        System.out.println("holder " + holder.getState() + ", pinned " + pinned.getState() + ", carriers added "
                + watchdog.carriersAdded());
        System.exit(ended ? 0 : 3);
    }

    private static boolean awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.BLOCKED) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
