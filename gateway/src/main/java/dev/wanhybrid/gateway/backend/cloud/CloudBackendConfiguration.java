package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
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

/**
 * Wires the cloud backend: the cloud model catalog (the bundled dated YAML), the DashScope client when a key is
 * configured (or, without one, towards a {@link CloudEndpointOverride}: the in-process simulator that
 * {@code dev.wanhybrid.gateway.demo} starts when {@code gateway.cloud.simulator.enabled}), and the backend
 * itself, which is always present so readiness can say what is missing.
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

    /** Present unless {@code gateway.cloud.enabled=false} (tests that script their own "cloud" backend). */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CloudBackend cloudBackend(CloudProperties properties, ModelCatalog catalog, Clock clock,
            ObjectProvider<CloudEndpointOverride> endpointOverride, ObjectProvider<ResultStore> store) {
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
        CloudEndpointOverride override = endpointOverride.getIfAvailable();
        String key = properties.hasApiKey() ? properties.apiKey() : null;
        URI baseUrl = properties.baseUrl();
        String where;
        if (key == null && baseUrl == null && override != null) {
            key = properties.simulator().apiKey();
            baseUrl = override.baseUrl();
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
                // The gateway's clock decides a model's retirement, as it decides prices.
                .clock(clock)
                .connectTimeout(properties.connectTimeout())
                .requestTimeout(properties.requestTimeout())
                .build();
        String detail = where + ", key " + apiKey + ", catalog " + catalog.version() + ", "
                + properties.queriesPerSecond() + " queries/s";
        log.info("cloud backend ready: {}", detail);
        return new CloudBackend(client, null, detail, properties, clock, uploads);
    }
}
