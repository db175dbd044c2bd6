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

    /** Cloud tiers without a price of their own take the list price in force at start-up. */
    @Bean
    ModelCatalog modelCatalog(CatalogProperties properties, ObjectProvider<Clock> clock) {
        return ModelCatalog.from(properties, LocalDate.now(clock.getIfAvailable(Clock::systemUTC)));
    }
}
