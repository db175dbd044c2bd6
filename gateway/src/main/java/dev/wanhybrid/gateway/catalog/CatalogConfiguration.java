package dev.wanhybrid.gateway.catalog;

import java.time.Clock;
import java.time.LocalDate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds {@code gateway.catalog} and publishes the {@link ModelCatalog}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CatalogProperties.class)
class CatalogConfiguration {

    /**
     * Cloud models take their capabilities from the cloud catalog bean (the one the cloud backend checks requests
     * against), and cloud tiers without a price of their own the list price in force at start-up.
     */
    @Bean
    ModelCatalog modelCatalog(CatalogProperties properties,
            ObjectProvider<dev.wanhybrid.cloud.catalog.ModelCatalog> cloudModels, ObjectProvider<Clock> clock,
            ObjectProvider<CatalogExtension> extensions) {
        ModelCatalog configured = ModelCatalog.from(properties,
                cloudModels.getIfAvailable(dev.wanhybrid.cloud.catalog.ModelCatalog::load),
                LocalDate.now(clock.getIfAvailable(Clock::systemUTC)));
        var all = new java.util.ArrayList<>(configured.models());
        extensions.orderedStream().forEach(e -> all.addAll(e.models()));
        return new ModelCatalog(all);
    }
}
