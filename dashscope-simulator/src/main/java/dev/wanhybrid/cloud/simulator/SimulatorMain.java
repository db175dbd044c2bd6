package dev.wanhybrid.cloud.simulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator from the command line:
 * {@code java -cp dashscope-simulator.jar:cloud-adapter.jar:... dev.wanhybrid.cloud.simulator.SimulatorMain [port] [apiKey]}.
 * Pending and running times come from {@code SIM_PENDING} and {@code SIM_RUNNING} (ISO-8601 durations).
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8089;
        String key = args.length > 1 ? args[1] : "sk-simulator";
        DashScopeSimulator simulator = DashScopeSimulator.builder()
                .port(port)
                .apiKey(key)
                .pendingFor(Duration.parse(System.getenv().getOrDefault("SIM_PENDING", "PT2S")))
                .runningFor(Duration.parse(System.getenv().getOrDefault("SIM_RUNNING", "PT10S")))
                .build()
                .start();
        System.out.println("DashScope simulator on " + simulator.baseUrl() + " (key " + key + ")");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stop.countDown();
        }));
        stop.await();
    }
}
