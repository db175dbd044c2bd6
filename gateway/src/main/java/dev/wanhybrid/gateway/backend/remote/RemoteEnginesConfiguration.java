package dev.wanhybrid.gateway.backend.remote;

import dev.wanhybrid.gateway.backend.InputImages;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.backend.VideoBackendGroup;
import dev.wanhybrid.gateway.catalog.CatalogExtension;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One {@link RemoteBackend} per {@code gateway.remote-engines[]} entry, registered as a {@link VideoBackendGroup}
 * (the registry gives each its breaker, retry and time limiter, named after it), and their models in the catalog.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RemoteEngineProperties.class)
class RemoteEnginesConfiguration {

    @Bean
    RemoteEngines remoteEngines(RemoteEngineProperties properties, ObjectProvider<RemoteBaseUrlOverride> overrides,
            InputImages images) {
        List<VideoBackend> backends = new ArrayList<>();
        Map<String, URI> override = new java.util.HashMap<>();
        overrides.orderedStream().forEach(o -> override.putAll(o.byName()));
        for (RemoteEngineProperties.Engine e : properties.remoteEngines()) {
            URI url = override.get(e.name());
            RemoteEngineProperties.Engine effective = url == null ? e : new RemoteEngineProperties.Engine(e.name(),
                    url, e.api(), e.apiKey(), e.maxConcurrent(), e.requestTimeout(), e.unreachableAfter(), e.gpu(),
                    e.models());
            backends.add(new RemoteBackend(effective, images));
        }
        return new RemoteEngines(backends, properties);
    }

    /**
     * Per engine, tagged with its configured name (never its URL): jobs outstanding there and the wait a job added
     * now would have, as the router estimates them.
     */
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder remoteEngineMeters(RemoteEngines engines) {
        return registry -> engines.backends().forEach(b -> {
            RemoteBackend remote = (RemoteBackend) b;
            io.micrometer.core.instrument.Gauge.builder("gateway.remote.outstanding", remote,
                    r -> r.load().queue().queued() + r.load().queue().running())
                    .description("Jobs the gateway has outstanding at a remote engine").tag("engine", remote.id())
                    .register(registry);
            io.micrometer.core.instrument.Gauge.builder("gateway.remote.estimated.wait", remote,
                    r -> r.load().queue().estimatedWait().toMillis() / 1000.0)
                    .description("Estimated wait of a job sent to a remote engine now").baseUnit("seconds")
                    .tag("engine", remote.id()).register(registry);
        });
    }

    @Bean
    CatalogExtension remoteEngineModels(RemoteEngineProperties properties) {
        return () -> properties.remoteEngines().stream()
                .flatMap(e -> e.models().stream().map(m -> catalogModel(e, m)))
                .toList();
    }

    /** The catalog's view of a remote model: its sizes in tiers by short side, lengths 1..max-seconds. */
    static CatalogModel catalogModel(RemoteEngineProperties.Engine engine, RemoteEngineProperties.Model m) {
        Map<Integer, List<VideoSize>> byShortSide = new TreeMap<>();
        for (String s : m.sizes()) {
            VideoSize size = VideoSize.parse(s);
            byShortSide.computeIfAbsent(size.shortSide(), k -> new ArrayList<>()).add(size);
        }
        List<ModelTier> tiers = new ArrayList<>();
        // The price per second is unused: routing and settlement price a remote model's GPU time (RemoteLoad).
        byShortSide.forEach((side, sizes) -> tiers.add(new ModelTier(side + "p", sizes, BigDecimal.ZERO, null,
                m.serviceTimePerSecond())));
        var seconds = new TreeSet<>(IntStream.rangeClosed(1, m.maxSeconds()).boxed().toList());
        return new CatalogModel(m.id(), engine.name(), m.kinds(), seconds, Math.min(5, m.maxSeconds()), m.fps(),
                m.audioModes(), m.quality(), VideoSize.parse(m.sizes().getFirst()), tiers, Set.copyOf(m.loras()));
    }

    /** The configured servers as one group. */
    static final class RemoteEngines implements VideoBackendGroup {
        private final List<VideoBackend> backends;
        private final RemoteEngineProperties properties;

        RemoteEngines(List<VideoBackend> backends, RemoteEngineProperties properties) {
            this.backends = List.copyOf(backends);
            this.properties = properties;
        }

        @Override
        public List<VideoBackend> backends() {
            return backends;
        }

        @Override
        public Duration callTimeout(String backendId) {
            return properties.remoteEngines().stream().filter(e -> e.name().equals(backendId)).findFirst()
                    .map(e -> e.requestTimeout().plusSeconds(5)).orElse(Duration.ofSeconds(35));
        }
    }
}
