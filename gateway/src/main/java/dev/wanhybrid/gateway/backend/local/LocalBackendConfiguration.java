package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.VideoEngine;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The local backend bean. It always exists, so health and routing can say what is missing; it only has engines
 * when {@code gateway.local.model-path} is a Diffusers folder and a {@link LocalEngineLoader} (from the
 * local-engine module) is present, or when {@link VideoEngine} beans are defined directly (tests, the demo).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LocalProperties.class)
class LocalBackendConfiguration {

    @Bean(destroyMethod = "close")
    LocalBackend localBackend(LocalProperties properties, ObjectProvider<VideoEngine> engineBeans,
            ObjectProvider<LocalEngineLoader> loader, BulkheadRegistry bulkheads, MeterRegistry meters,
            ObjectProvider<Clock> clock) throws EngineException {
        List<VideoEngine> engines = new ArrayList<>(engineBeans.orderedStream().toList());
        String notReady = LocalProperties.NO_WEIGHTS;
        Path path = properties.modelPath();
        if (engines.isEmpty() && path != null) {
            if (!Files.isRegularFile(path.resolve("model_index.json"))) {
                notReady = "gateway.local.model-path=" + path + " is not a Diffusers folder (no model_index.json);"
                        + " point it at a Wan2.1-T2V-1.3B-Diffusers folder";
            } else if (loader.getIfAvailable() == null) {
                notReady = "gateway.local.model-path is set, but no local engine implementation is on the classpath"
                        + " (the local-engine module provides it)";
            } else {
                for (String device : properties.devices()) {
                    engines.add(loader.getObject().load(path, device));
                }
            }
        }
        return new LocalBackend(properties, engines, notReady, bulkheads.bulkhead(LocalBackend.ID), meters,
                clock.getIfAvailable(Clock::systemUTC));
    }
}
