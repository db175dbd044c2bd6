package dev.wanhybrid.gateway.e2e.support;

import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a JVM the tests launch as a child process (the gateway's executable jar killed
 * with {@code kill -9}, the DashScope simulator): this JVM's own {@code java}, a heap limit, and two flags that only
 * make it start sooner on a small test machine. C1 only ({@code TieredStopAtLevel=1}) and the serial collector cut a
 * gateway start from about 11 s to about 9.5 s on 2 cores (measured on the build machine); neither changes what the process does,
 * and the tests that launch children restart them a dozen times.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /** {@code java -Xmx<maxHeap> -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}, ready for the class path or jar. */
    public static List<String> command(String maxHeap) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }
}
