package dev.wanhybrid.gateway.database;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Which database the store is, for the few places whose best setting differs between PostgreSQL and H2. */
public final class Databases {

    private Databases() {}

    /** Whether {@code dataSource} is PostgreSQL (asks one connection's metadata). */
    public static boolean isPostgres(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return isPostgres(connection);
        }
    }

    public static boolean isPostgres(Connection connection) throws SQLException {
        return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
    }
}
