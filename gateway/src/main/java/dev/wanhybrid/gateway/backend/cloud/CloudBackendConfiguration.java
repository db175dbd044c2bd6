package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Wires the cloud backend: the cloud model catalog (the bundled dated YAML), the DashScope client when a key is
 * configured, the in-process simulator when {@code gateway.cloud.simulator.enabled}, and the backend itself,
 * which is always present so readiness can say what is missing.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CloudProperties.class)
class CloudBackendConfiguration {

    static final String NO_KEY = "no DashScope API key: set DASHSCOPE_API_KEY (or gateway.cloud.api-key) and "
            + "gateway.cloud.region";

    private static final Logger log = LoggerFactory.getLogger(CloudBackendConfiguration.class);

    /** The cloud models, sizes, durations and dated prices; other packages may read it. */
    @Bean
    @ConditionalOnMissingBean
    ModelCatalog cloudModelCatalog() {
        return ModelCatalog.load();
    }

    /** A DashScope-protocol server inside this process, so the demo and tests need no Alibaba account. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "gateway.cloud.simulator", name = "enabled", havingValue = "true")
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

    /** Present unless {@code gateway.cloud.enabled=false} (tests that script their own "cloud" backend). */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CloudBackend cloudBackend(CloudProperties properties, ModelCatalog catalog, Clock clock,
            ObjectProvider<DashScopeSimulator> simulator, ObjectProvider<ResultStore> store) {
        UploadedImages uploads = key -> {
            ResultStore results = store.getIfAvailable();
            if (results == null) {
                return UploadedImages.NONE.read(key);
            }
            try (java.io.InputStream in = results.open(key, 0, -1)) {
                return in.readAllBytes();
            }
        };
        Region region = Region.parse(properties.region());
        DashScopeSimulator sim = simulator.getIfAvailable();
        String key = properties.hasApiKey() ? properties.apiKey() : null;
        URI baseUrl = properties.baseUrl();
        String where;
        if (key == null && baseUrl == null && sim != null) {
            key = properties.simulator().apiKey();
            baseUrl = sim.baseUrl();
            where = "DashScope simulator at " + baseUrl;
        } else {
            where = "DashScope " + region.name().toLowerCase(java.util.Locale.ROOT) + " at "
                    + (baseUrl != null ? baseUrl : region.baseUrl());
        }
        if (key == null) {
            log.info("cloud backend not ready: {}", NO_KEY);
            return new CloudBackend(null, NO_KEY, null, properties, clock, uploads);
        }
        ApiKey apiKey = ApiKey.of(key);
        DashScopeClient client = DashScopeClient.builder()
                .apiKey(apiKey)
                .region(region)
                .baseUrl(baseUrl)
                .workspace(properties.workspace())
                .catalog(catalog)
                .connectTimeout(properties.connectTimeout())
                .requestTimeout(properties.requestTimeout())
                .build();
        String detail = where + ", key " + apiKey + ", catalog " + catalog.version() + ", "
                + properties.queriesPerSecond() + " queries/s";
        log.info("cloud backend ready: {}", detail);
        return new CloudBackend(client, null, detail, properties, clock, uploads);
    }
}
