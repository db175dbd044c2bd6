package dev.wanhybrid.gateway.e2e.support;

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

    /** {@code java -Xmx<maxHeap> -XX:+UseSerialGC}, ready for the class path or jar. */
    public static List<String> command(String maxHeap) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC"));
    }
}
