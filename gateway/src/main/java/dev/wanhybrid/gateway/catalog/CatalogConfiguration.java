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
     * against), and cloud tiers without a price of their own the list price in force at start-up; cloud models
     * carry that catalog's lifecycle (the router refuses a retired one on the day it retires). Local models marked
     * {@code lora: true} apply the in-JVM engine's LoRA registry ({@link LocalLoraRegistry}).
     */
    @Bean
    ModelCatalog modelCatalog(CatalogProperties properties,
            ObjectProvider<dev.wanhybrid.cloud.catalog.ModelCatalog> cloudModels, ObjectProvider<Clock> clock,
            ObjectProvider<CatalogExtension> extensions, ObjectProvider<LocalLoraRegistry> localLoras,
            org.springframework.core.env.Environment environment) {
        ModelCatalog configured = ModelCatalog.from(properties,
                cloudModels.getIfAvailable(dev.wanhybrid.cloud.catalog.ModelCatalog::load),
                LocalDate.now(clock.getIfAvailable(Clock::systemUTC)),
                localLoras.getIfAvailable(() -> java.util.Set::of).names());
        var extra = new java.util.ArrayList<CatalogModel>();
        extensions.orderedStream().forEach(e -> extra.addAll(e.models(configured)));
        // gateway.catalog.use-successors: a request naming a retired model runs on its successor.
        return configured.plus(extra)
                .withSuccessors(environment.getProperty("gateway.catalog.use-successors", Boolean.class, false));
    }
}
