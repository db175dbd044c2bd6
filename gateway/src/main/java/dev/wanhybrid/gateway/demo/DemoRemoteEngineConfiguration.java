package dev.wanhybrid.gateway.demo;

import dev.wanhybrid.gateway.backend.remote.RemoteBaseUrlOverride;
import dev.wanhybrid.gateway.backend.remote.RemoteEngineProperties;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A fake vLLM-Omni server inside the gateway when {@code gateway.demo.remote-engine.enabled} (the {@code demo}
 * profile), standing in for the remote engine named by {@code gateway.demo.remote-engine.name}; its videos are demo
 * output. With the DashScope simulator and the tiny local engine it makes the demo's three-backend route.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "gateway.demo.remote-engine", name = "enabled", havingValue = "true")
class DemoRemoteEngineConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DemoRemoteEngineConfiguration.class);

    @Bean(destroyMethod = "close")
    FakeVllmOmniServer demoRemoteEngine(RemoteEngineProperties properties,
            @Value("${gateway.demo.remote-engine.name}") String name,
            @Value("${gateway.demo.remote-engine.seconds-per-step-frame:0.0005}") double secondsPerStepFrame) {
        RemoteEngineProperties.Engine engine = properties.remoteEngines().stream().filter(e -> e.name().equals(name))
                .findFirst().orElseThrow(() -> new IllegalStateException("gateway.demo.remote-engine.name '" + name
                        + "' is not one of gateway.remote-engines[]"));
        Set<String> models = engine.models().stream().map(RemoteEngineProperties.Model::servedName)
                .collect(Collectors.toSet());
        FakeVllmOmniServer server = new FakeVllmOmniServer(models, secondsPerStepFrame, engine.apiKey()).start();
        log.info("Demo remote engine '{}' (a fake vLLM-Omni server; its videos are demo output) on {}", name,
                server.baseUrl());
        return server;
    }

    @Bean
    RemoteBaseUrlOverride demoRemoteEngineUrl(FakeVllmOmniServer server,
            @Value("${gateway.demo.remote-engine.name}") String name) {
        return () -> Map.of(name, server.baseUrl());
    }
}
