package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineOptions;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.WanEngines;
import dev.wanhybrid.gateway.backend.InputImages;
import dev.wanhybrid.gateway.catalog.LocalLoraRegistry;
import dev.wanhybrid.gateway.net.SafeHttpFetcher;
import dev.wanhybrid.gateway.storage.ResultStore;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The local backend bean. It always exists, so health and routing can say what is missing; it only has engines
 * when {@code gateway.local.model-path} is a Diffusers folder and a {@link LocalEngineLoader} (from the
 * local-engine module) is present, or when {@link VideoEngine} beans are defined directly (tests, the demo).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LocalProperties.class)
class LocalBackendConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LocalBackendConfiguration.class);

    /** The local-engine module's Wan loader: bfloat16 on CUDA devices, float32 on CPU unless configured. */
    @Bean
    @ConditionalOnMissingBean
    LocalEngineLoader wanEngineLoader(LocalProperties properties) {
        return (folder, device) -> WanEngines.load(folder, options(properties, device), properties.loras());
    }

    static EngineOptions options(LocalProperties properties, String device) {
        EngineOptions base = (device.startsWith("cuda") ? EngineOptions.cuda().withDevice(device) : EngineOptions.cpu())
                .withOffloadTextEncoder(properties.offloadTextEncoder());
        if (properties.dtype() != null && !properties.dtype().isBlank()) {
            base = base.withDtype(properties.dtype());
        }
        return properties.modelId() == null || properties.modelId().isBlank() ? base
                : base.withModelId(properties.modelId());
    }

    /** The LoRA registry's names, which the catalog's {@code lora: true} local models apply. */
    @Bean
    LocalLoraRegistry localLoraRegistry(LocalProperties properties) {
        return () -> properties.loras().keySet();
    }

    /**
     * Image-to-video input for the self-hosted backends (the local engine, remote servers): an upload is read from the result store; an image URL is fetched
     * through the SSRF-safe fetcher (the same address rules as webhooks and the API's URL checks).
     */
    @Bean
    @ConditionalOnMissingBean
    InputImages localInputImages(ObjectProvider<ResultStore> store, ObjectProvider<SafeHttpFetcher> fetcher) {
        return reference -> {
            if ("upload".equals(reference.getScheme())) {
                try (var in = store.getObject().open(reference.getSchemeSpecificPart(), 0, -1)) {
                    return in.readAllBytes();
                }
            }
            SafeHttpFetcher http = fetcher.getIfAvailable();
            if (http == null) {
                throw new java.io.IOException("no HTTP fetcher is configured for image URLs");
            }
            return http.get("input_reference.image_url", reference).body();
        };
    }

    @Bean(destroyMethod = "close")
    LocalBackend localBackend(LocalProperties properties, ObjectProvider<VideoEngine> engineBeans,
            ObjectProvider<LocalEngineLoader> loader, BulkheadRegistry bulkheads, MeterRegistry meters,
            ObjectProvider<Clock> clock, ObjectProvider<InputImages> images, Environment environment) {
        List<VideoEngine> engines = new ArrayList<>(engineBeans.orderedStream().toList());
        boolean enginesAreBeans = !engines.isEmpty();
        String notReady = LocalProperties.NO_WEIGHTS;
        Path path = properties.modelPath();
        if (engines.isEmpty() && properties.demoEngine()) {
            try {
                engines.add(WanEngines.demo(options(properties, "cpu")));
                // The Wan 2.2 demo does image-to-video and LoRAs; it gets its own worker and queue.
                engines.add(WanEngines.demoWan22(options(properties, "cpu"), properties.loras()));
            } catch (EngineException | LinkageError e) {
                log.warn("the demo engine could not be built: {}", e.toString());
                notReady = "the demo engine could not be built: " + e.getMessage();
            }
        } else if (engines.isEmpty() && path != null) {
            if (!Files.isRegularFile(path.resolve("model_index.json"))) {
                notReady = "gateway.local.model-path=" + path + " is not a Diffusers folder (no model_index.json);"
                        + " point it at a Wan2.1-T2V-1.3B-Diffusers folder";
            } else if (loader.getIfAvailable() == null) {
                notReady = "gateway.local.model-path is set, but no local engine implementation is on the classpath"
                        + " (the local-engine module provides it)";
            } else {
                try {
                    for (String device : properties.devices()) {
                        engines.add(loader.getObject().load(path, device));
                    }
                } catch (EngineException | LinkageError e) {
                    // The gateway still starts and serves the cloud; health shows why local is missing.
                    log.warn("loading the local engine from {} failed: {}", path, e.toString());
                    engines.forEach(VideoEngine::close);
                    engines.clear();
                    notReady = "loading " + path + " failed: " + e.getMessage();
                }
            }
        }
        // Pre-emption, and checkpoints of real engines, suspend and resume runs: each engine proves it can first.
        // (The demo engines are exact on the CPU, tested; their runs take seconds, so no checkpoint is ever due.)
        boolean preemption = environment.getProperty("gateway.routing.preemption", Boolean.class,
                dev.wanhybrid.cost.routing.LocalAdmission.DEFAULT_PREEMPTION);
        boolean checkpoints = !properties.checkpointEvery().isZero() && !properties.demoEngine();
        if (!enginesAreBeans && (preemption || checkpoints)) {
            engines.replaceAll(engine -> checkedForPreemption(engine, properties, meters));
        }
        return new LocalBackend(properties, engines, !enginesAreBeans, notReady, bulkheads.bulkhead(Backend.LOCAL.id()),
                meters, clock.getIfAvailable(Clock::systemUTC), images.getIfAvailable());
    }

    /**
     * With pre-emption or checkpoints on, each engine that can suspend proves it on its own device first
     * ({@link SuspendCheck}); one that fails is used as one that cannot suspend, so its runs are planned without
     * pre-emption and never checkpointed. The result is logged and kept as the gauge
     * {@code gateway.local.suspend.check} (1 passed, 0 failed) per model and device.
     */
    static VideoEngine checkedForPreemption(VideoEngine engine, LocalProperties properties, MeterRegistry meters) {
        if (!engine.suspends()) {
            return engine;
        }
        var info = engine.info();
        SuspendCheck.Result result = SuspendCheck.run(engine, properties, properties.workDir().resolve("suspend-check"));
        io.micrometer.core.instrument.Gauge.builder("gateway.local.suspend.check", () -> result.passed() ? 1 : 0)
                .description("Whether the engine's suspend and resume matched an uninterrupted run on its device at"
                        + " start-up (pre-emption is off for an engine that failed)")
                .tag("model", info.modelId()).tag("device", info.device()).register(meters);
        if (result.passed()) {
            log.info("suspend and resume checked on {} ({}) in {} ms: {}", info.modelId(), info.device(),
                    result.took().toMillis(), result.detail());
            return engine;
        }
        log.warn("pre-emption and checkpoints stay off for {} on {}: its suspend and resume check failed ({}); its"
                + " runs are planned without suspensions", info.modelId(), info.device(), result.detail());
        return SuspendCheck.withoutSuspension(engine);
    }
}
