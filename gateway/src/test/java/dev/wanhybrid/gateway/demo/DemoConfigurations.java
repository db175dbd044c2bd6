package dev.wanhybrid.gateway.demo;

/** The demo package's configuration classes, which are package-private, for context runners in other packages. */
public final class DemoConfigurations {

    /** Starts the DashScope simulator when {@code gateway.cloud.simulator.enabled}. */
    public static final Class<?> SIMULATOR = DemoSimulatorConfiguration.class;

    private DemoConfigurations() {}
}
