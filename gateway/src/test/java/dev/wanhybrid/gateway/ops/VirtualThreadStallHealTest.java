package dev.wanhybrid.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The stall that hung the executable jar, built on purpose in a child JVM with one carrier ({@link PinnedCarriers}):
 * it does not end by itself, and the watchdog ends it by giving the scheduler a carrier more.
 */
class VirtualThreadStallHealTest {

    record Exit(int code, String output) {}

    /** Runs {@link PinnedCarriers} with {@code mode}, giving the stall {@code seconds} to end. */
    static Exit run(String mode, int seconds) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(java, "-Xmx64m", "-Djdk.virtualThreadScheduler.parallelism=1",
                "-cp", System.getProperty("java.class.path"), PinnedCarriers.class.getName(), mode,
                Integer.toString(seconds)))
                .redirectErrorStream(true).start();
        if (!child.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            return new Exit(-1, new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Exit(child.exitValue(), new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutACarrierMoreTheStallLasts() throws Exception {
        // The watchdog reports after 1 s; 6 s later nothing has moved.
        Exit exit = run("watch-only", 6);
        assertThat(exit.code()).as(exit.output()).isEqualTo(3);
        assertThat(exit.output()).contains("no virtual thread has run for").contains("holder RUNNABLE");
    }

    @Test
    void theWatchdogEndsItWithOneCarrierMore() throws Exception {
        Exit exit = run("heal", 30);
        assertThat(exit.code()).as(exit.output()).isZero();
        assertThat(exit.output()).contains("no virtual thread has run for")
                .contains("gave the virtual thread scheduler a carrier thread more (1 -> 2)")
                .contains("holder TERMINATED, pinned TERMINATED, carriers added 1");
    }
}
