package dev.wanhybrid.gateway.e2e.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a JVM the tests launch as a child process (the gateway's executable jar killed
 * with {@code kill -9}, the DashScope simulator, S3Mock): this JVM's own {@code java}, a heap limit, and the serial
 * collector, which only makes it start sooner on a small test machine and changes nothing the process does. On
 * 2 cores it cut a gateway start from about 11.2 s to 9.6 s, and a demo-profile start (with the demo engine) from
 * about 15 s to 11.8 s; C1 only ({@code TieredStopAtLevel=1}) was tried too and made the demo start slower
 * (17.3 s). The tests that launch children restart them a dozen times.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /**
     * Writes the threads of {@code process} (a JVM) to {@code file} with {@code jcmd Thread.print}, so a hang can be
     * diagnosed from a test's work folder; a dump that fails is added to {@code cause} as suppressed. Thread.print
     * lists platform threads only (a virtual thread only while it is mounted on its carrier), and the gateway serves
     * HTTP and runs its job steps on virtual threads, so every thread, virtual ones included, is written next to it
     * as well ({@code jcmd Thread.dump_to_file -format=json}, to {@code <file>.vthreads.json}).
     */
    public static Path dumpThreads(Process process, Path file, Exception cause) {
        try {
            String jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd")
                    .toString();
            new ProcessBuilder(jcmd, Long.toString(process.pid()), "Thread.print", "-l").redirectErrorStream(true)
                    .redirectOutput(file.toFile()).start().waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            Path all = file.resolveSibling(file.getFileName() + ".vthreads.json");
            new ProcessBuilder(jcmd, Long.toString(process.pid()), "Thread.dump_to_file", "-format=json",
                    all.toAbsolutePath().toString()).redirectErrorStream(true)
                    .redirectOutput(file.resolveSibling(file.getFileName() + ".jcmd.log").toFile()).start()
                    .waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            cause.addSuppressed(interrupted);
        } catch (java.io.IOException | RuntimeException failed) {
            cause.addSuppressed(failed);
        }
        return file;
    }

    /** {@code java -Xmx<maxHeap> -XX:+UseSerialGC}, ready for the class path or jar. */
    public static List<String> command(String maxHeap) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC"));
    }
}
