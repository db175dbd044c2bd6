package dev.wanhybrid.gateway.demo;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.backend.cloud.CloudEndpointOverride;
import dev.wanhybrid.gateway.backend.cloud.CloudProperties;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The DashScope simulator inside the gateway when {@code gateway.cloud.simulator.enabled} (the {@code demo}
 * profile and tests), and the cloud backend's endpoint pointed at it. The only place outside tests that uses
 * {@code dev.wanhybrid.cloud.simulator}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CloudProperties.class)
@ConditionalOnProperty(prefix = "gateway.cloud.simulator", name = "enabled", havingValue = "true")
class DemoSimulatorConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DemoSimulatorConfiguration.class);

    /** A DashScope-protocol server inside this process, so the demo and tests need no Alibaba account. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DashScopeSimulator dashScopeSimulator(CloudProperties properties, ModelCatalog catalog, Clock clock) {
        CloudProperties.Simulator sim = properties.simulator();
        DashScopeSimulator simulator = DashScopeSimulator.builder()
                .apiKey(sim.apiKey())
                .port(sim.port())
                .clock(clock)
                .catalog(catalog)
                .pendingFor(sim.pendingFor())
                .runningFor(sim.runningFor())
                .queriesPerSecond(sim.queriesPerSecond())
                .region(Region.parse(properties.region()))
                .build()
                .start();
        if (!sim.faults().isEmpty()) {
            JsonMapper json = JsonMapper.builder().build();
            ObjectNode faults = json.createObjectNode();
            sim.faults().forEach((name, value) -> faults.set(name, json.readTree(value)));
            simulator.applyFaults(faults);
            log.info("DashScope simulator faults: {}", faults);
        }
        log.info("DashScope simulator listening on {}", simulator.baseUrl());
        return simulator;
    }

    /** The cloud backend talks to the simulator unless a key or a base URL is configured. */
    @Bean
    CloudEndpointOverride dashScopeSimulatorEndpoint(DashScopeSimulator simulator) {
        return simulator::baseUrl;
    }
}
