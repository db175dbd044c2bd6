package dev.wanhybrid.gateway.tenant;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Picks where tenant rate limits are counted, by {@code gateway.rate-limits.store}: {@code auto} (the default)
 * shares them through the database when it is PostgreSQL (the store replicas share) and keeps them in memory on
 * the embedded H2 store (one instance); {@code shared} insists on PostgreSQL; {@code memory} keeps them per
 * instance whatever the store.
 */
@Configuration(proxyBeanMethods = false)
class TenantRateLimiterConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TenantRateLimiterConfiguration.class);

    @Bean
    TenantRateLimiter tenantRateLimiter(DataSource dataSource,
            @Value("${gateway.rate-limits.store:auto}") String store) throws SQLException {
        boolean postgres = isPostgres(dataSource);
        TenantRateLimiter limiter = switch (store) {
            case "memory" -> new InMemoryTenantRateLimiter();
            case "auto" -> postgres ? new SharedTenantRateLimiter(dataSource) : new InMemoryTenantRateLimiter();
            case "shared" -> {
                if (!postgres) {
                    throw new IllegalStateException("gateway.rate-limits.store=shared needs PostgreSQL as"
                            + " spring.datasource.url; the embedded H2 store serves one instance (use auto or memory)");
                }
                yield new SharedTenantRateLimiter(dataSource);
            }
            default -> throw new IllegalArgumentException(
                    "gateway.rate-limits.store must be auto, shared or memory, not '" + store + "'");
        };
        log.info("Tenant rate limits: {}", limiter instanceof SharedTenantRateLimiter
                ? "shared by all instances in PostgreSQL (" + SharedTenantRateLimiter.TABLE + ")"
                : "in this instance's memory");
        return limiter;
    }

    static boolean isPostgres(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
        }
    }
}
