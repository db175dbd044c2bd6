package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.gateway.backend.OpenTasks;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.backend.VideoBackendGroup;
import dev.wanhybrid.gateway.catalog.CatalogExtension;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.CloudSourcePrices;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.generation.VideoSize;
import dev.wanhybrid.gateway.limits.RateLimitStore;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
@EnableConfigurationProperties({CloudProperties.class, CloudSourcesProperties.class, CloudLimitsProperties.class})
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

    /**
     * Where the accounts' limits are counted: shared by all replicas in PostgreSQL when {@link RateLimitStore} says
     * so ({@code gateway.rate-limits.store}), else in this process.
     */
    @Bean
    @ConditionalOnMissingBean
    CloudLimits cloudLimits(RateLimitStore store, Clock clock, ObjectProvider<OpenTasks> openTasks,
            CloudLimitsProperties properties) {
        CloudLimits limits = store.sharedDatabase()
                .<CloudLimits>map(db -> new SharedCloudLimits(db, clock, openTasks::getIfAvailable, properties))
                .orElse(CloudLimits.IN_PROCESS);
        log.info("DashScope query rates, create rates and task slots: {}", limits);
        return limits;
    }

    /** Present unless {@code gateway.cloud.enabled=false} (tests that script their own "cloud" backend). */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CloudBackend cloudBackend(CloudProperties properties, ModelCatalog catalog, Clock clock,
            ObjectProvider<CloudEndpointOverride> endpointOverride, ObjectProvider<ResultStore> store,
            CloudLimits limits) {
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
        return backend(dev.wanhybrid.cost.Backend.CLOUD.id(), properties, region, key, baseUrl, properties.workspace(),
                where, catalog, clock, uploads(store), limits);
    }

    /**
     * The further DashScope sources ({@code gateway.cloud.sources[]}), one {@link CloudBackend} each, named after
     * the source; the registry gives each its breaker (configured like the {@code cloud} one), retry and time
     * limiter.
     */
    @Bean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CloudSources cloudSources(CloudSourcesProperties sources, CloudProperties defaults, ModelCatalog catalog,
            Clock clock, ObjectProvider<ResultStore> store, CloudLimits limits) {
        List<CloudBackend> backends = new ArrayList<>();
        for (CloudSourcesProperties.Source s : sources.sources()) {
            Region region = Region.parse(s.region());
            // The source's account and limits; waits, timeouts and reconcile-after are the default account's.
            CloudProperties effective = new CloudProperties(s.apiKey(), s.region(), s.baseUrl(), s.workspace(),
                    s.queriesPerSecond(), s.concurrency(), defaults.permitWait(), defaults.queryWait(),
                    defaults.connectTimeout(), defaults.requestTimeout(), defaults.reconcileAfter(),
                    defaults.simulator());
            String where = "DashScope source " + s.name() + ", " + region.name().toLowerCase(java.util.Locale.ROOT)
                    + " at " + (s.baseUrl() != null ? s.baseUrl() : region.baseUrl());
            backends.add(backend(s.name(), effective, region, s.hasApiKey() ? s.apiKey() : null, s.baseUrl(),
                    s.workspace(), where, catalog, clock, uploads(store), limits));
        }
        return new CloudSources(backends, defaults);
    }

    /** The sources' monthly budgets ({@code monthly-budget-usd}), which the router's budget headroom applies. */
    @Bean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    dev.wanhybrid.gateway.budget.BackendSpendCaps cloudSourceBudgets(CloudSourcesProperties sources) {
        java.util.Map<String, BigDecimal> limits = new java.util.HashMap<>();
        sources.sources().stream().filter(s -> s.monthlyBudgetUsd() != null)
                .forEach(s -> limits.put(s.name(), s.monthlyBudgetUsd()));
        return () -> java.util.Map.copyOf(limits);
    }

    /** What each further source pays: its region's list, its account's prices, its CNY rate. */
    @Bean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CloudSourcePrices.Configured cloudSourcePrices(CloudSourcesProperties sources) {
        List<CloudSourcePrices> prices = sources.sources().stream()
                .map(s -> new CloudSourcePrices(s.name(), Region.parse(s.region()),
                        CloudSourcePrices.loadAccountPrices("gateway.cloud.sources[" + s.name() + "].account-prices",
                                s.accountPrices()), s.usdPerCny()))
                .toList();
        return () -> prices;
    }

    /**
     * Each further source offers the configured cloud models again, under the same ids, with the tier prices it pays
     * today (the estimator prices it by date from then on); a model its prices do not cover is not offered there.
     */
    @Bean
    @ConditionalOnProperty(prefix = "gateway.cloud", name = "enabled", havingValue = "true", matchIfMissing = true)
    CatalogExtension cloudSourceModels(CloudSourcesProperties sources, CloudSourcePrices.Configured prices,
            ModelCatalog cloudCatalog, Clock clock) {
        return new CatalogExtension() {
            @Override
            public List<CatalogModel> models() {
                return List.of();
            }

            @Override
            public List<CatalogModel> models(dev.wanhybrid.gateway.catalog.ModelCatalog configured) {
                LocalDate today = LocalDate.now(clock);
                List<CatalogModel> out = new ArrayList<>();
                for (CloudSourcesProperties.Source s : sources.sources()) {
                    CloudSourcePrices paid = prices.sources().stream().filter(p -> p.backend().equals(s.name()))
                            .findFirst().orElseThrow();
                    for (CatalogModel m : configured.modelsOf(dev.wanhybrid.cost.Backend.CLOUD.id())) {
                        if (!s.models().isEmpty() && !s.models().contains(m.id())) {
                            continue;
                        }
                        offered(s.name(), m, paid, cloudCatalog, today).ifPresentOrElse(out::add,
                                () -> log.info("cloud source {} does not offer {}: neither its account prices nor the"
                                        + " {} list price it on {} in a currency it converts", s.name(), m.id(),
                                        paid.region().name().toLowerCase(java.util.Locale.ROOT), today));
                    }
                }
                return out;
            }
        };
    }

    /** The model as {@code source} sells it: its tiers that the source prices, at the source's USD price. */
    static java.util.Optional<CatalogModel> offered(String source, CatalogModel m, CloudSourcePrices paid,
            ModelCatalog cloudCatalog, LocalDate day) {
        List<ModelTier> tiers = new ArrayList<>();
        for (ModelTier t : m.tiers()) {
            var tier = Tier.ofLabel(t.name());
            var withSound = tier.flatMap(x -> paid.usdPerSecond(cloudCatalog, m.id(), x, true, day));
            var silent = tier.flatMap(x -> paid.usdPerSecond(cloudCatalog, m.id(), x, false, day));
            if (withSound.isEmpty() && silent.isEmpty()) {
                continue;
            }
            BigDecimal perSecond = withSound.or(() -> silent).orElseThrow();
            BigDecimal silentPrice = silent.filter(p -> p.compareTo(perSecond) != 0).orElse(null);
            tiers.add(new ModelTier(t.name(), t.sizes(), perSecond, silentPrice, t.serviceTimePerSecond()));
        }
        if (tiers.isEmpty()) {
            return java.util.Optional.empty();
        }
        VideoSize defaultSize = tiers.stream().anyMatch(t -> t.sizes().contains(m.defaultSize())) ? m.defaultSize()
                : tiers.getFirst().sizes().getFirst();
        return java.util.Optional.of(new CatalogModel(m.id(), source, m.kinds(), m.seconds(), m.defaultSeconds(),
                m.fps(), m.audio(), m.quality(), defaultSize, tiers, m.loras()));
    }

    private static UploadedImages uploads(ObjectProvider<ResultStore> store) {
        return key -> {
            ResultStore results = store.getIfAvailable();
            if (results == null) {
                return UploadedImages.NONE.read(key);
            }
            try (java.io.InputStream in = results.open(key, 0, -1)) {
                return in.readAllBytes();
            }
        };
    }

    /** One DashScope account as a backend: ready with a key, else present and saying what is missing. */
    private static CloudBackend backend(String id, CloudProperties properties, Region region, String key, URI baseUrl,
            String workspace, String where, ModelCatalog catalog, Clock clock, UploadedImages uploads,
            CloudLimits limits) {
        if (key == null) {
            String reason = dev.wanhybrid.cost.Backend.CLOUD.is(id) ? NO_KEY
                    : "no DashScope API key: set gateway.cloud.sources[" + id + "].api-key";
            log.info("{} backend not ready: {}", id, reason);
            return new CloudBackend(id, null, reason, null, properties, clock, uploads, limits);
        }
        ApiKey apiKey = ApiKey.of(key);
        DashScopeClient client = DashScopeClient.builder()
                .apiKey(apiKey)
                .region(region)
                .baseUrl(baseUrl)
                .workspace(workspace)
                .catalog(catalog)
                // The gateway's clock decides a model's retirement, as it decides prices.
                .clock(clock)
                .connectTimeout(properties.connectTimeout())
                .requestTimeout(properties.requestTimeout())
                .build();
        String detail = where + ", key " + apiKey + ", catalog " + catalog.version() + ", "
                + properties.queriesPerSecond() + " queries/s";
        log.info("{} backend ready: {}", id, detail);
        return new CloudBackend(id, client, null, detail, properties, clock, uploads, limits);
    }

    /** The further cloud sources as one group of backends; their task-slot gauges bind with the group. */
    static final class CloudSources implements VideoBackendGroup, io.micrometer.core.instrument.binder.MeterBinder {
        private final List<VideoBackend> backends;
        private final CloudProperties defaults;

        CloudSources(List<CloudBackend> backends, CloudProperties defaults) {
            this.backends = List.copyOf(backends);
            this.defaults = defaults;
        }

        @Override
        public List<VideoBackend> backends() {
            return backends;
        }

        /** A permit wait plus one request, like the {@code cloud} time limiter's 45 s. */
        @Override
        public Duration callTimeout(String backendId) {
            return defaults.permitWait().plus(defaults.requestTimeout()).plusSeconds(5);
        }

        @Override
        public String breakerTemplate() {
            return dev.wanhybrid.cost.Backend.CLOUD.id();
        }

        @Override
        public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
            backends.forEach(b -> ((CloudBackend) b).bindTo(registry));
        }
    }
}
