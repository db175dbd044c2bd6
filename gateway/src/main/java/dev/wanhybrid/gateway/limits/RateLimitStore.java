package dev.wanhybrid.gateway.limits;

import dev.wanhybrid.gateway.database.Databases;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where the limits that replicas must share are counted (tenant rate limits, the cloud account's query rate,
 * create rates and task slots), as {@code gateway.rate-limits.store} decides: {@code auto} (the default) shares
 * them through the database when it is PostgreSQL (the store replicas share) and keeps them in memory on the
 * embedded H2 store (one instance); {@code shared} insists on PostgreSQL; {@code memory} keeps them per instance
 * whatever the store.
 *
 * @param shared the PostgreSQL database that holds them, or {@code null} when each instance counts its own
 */
public record RateLimitStore(DataSource shared) {

    /** The setting's key, for messages. */
    public static final String SETTING = "gateway.rate-limits.store";

    /** Each instance counts its own limits in memory. */
    public static RateLimitStore memory() {
        return new RateLimitStore(null);
    }

    /** Applies the setting ({@code auto}, {@code shared} or {@code memory}) to the configured database. */
    public static RateLimitStore resolve(DataSource dataSource, String setting) throws SQLException {
        return switch (setting) {
            case "memory" -> memory();
            case "auto" -> Databases.isPostgres(dataSource) ? new RateLimitStore(dataSource) : memory();
            case "shared" -> {
                if (!Databases.isPostgres(dataSource)) {
                    throw new IllegalStateException(SETTING + "=shared needs PostgreSQL as spring.datasource.url;"
                            + " the embedded H2 store serves one instance (use auto or memory)");
                }
                yield new RateLimitStore(dataSource);
            }
            default -> throw new IllegalArgumentException(
                    SETTING + " must be auto, shared or memory, not '" + setting + "'");
        };
    }

    /** The shared database, when limits are shared. */
    public Optional<DataSource> sharedDatabase() {
        return Optional.ofNullable(shared);
    }

    public boolean isShared() {
        return shared != null;
    }
}
