package dev.wanhybrid.gateway.catalog;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binds {@code gateway.catalog} and publishes the {@link ModelCatalog}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CatalogProperties.class)
class CatalogConfiguration {

    @Bean
    ModelCatalog modelCatalog(CatalogProperties properties) {
        return ModelCatalog.from(properties);
    }
}
