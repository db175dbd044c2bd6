package dev.wanhybrid.gateway.limits;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Resolves {@code gateway.rate-limits.store} once for every limit that replicas share; registers migration 53. */
@Configuration(proxyBeanMethods = false)
class RateLimitStoreConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RateLimitStore rateLimitStore(DataSource dataSource, @Value("${gateway.rate-limits.store:auto}") String store)
            throws SQLException {
        return RateLimitStore.resolve(dataSource, store);
    }

    /** Migration 53, which Spring Boot's Flyway set-up runs with the SQL migrations (it takes every such bean). */
    @Bean
    UnloggedRateBuckets unloggedRateBuckets() {
        return new UnloggedRateBuckets();
    }
}
