package dev.wanhybrid.gateway.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A Flyway migration that runs its statements on PostgreSQL and does nothing on H2, so that both stores keep one
 * migration history although only one of them has the feature (unlogged tables, partial indexes). Its checksum is its
 * version, fixed, as recorded by the stores that already ran it.
 */
public abstract class PostgresOnlyMigration implements JavaMigration {

    private final int version;
    private final String description;
    private final List<String> statements;

    protected PostgresOnlyMigration(int version, String description, List<String> statements) {
        this.version = version;
        this.description = description;
        this.statements = List.copyOf(statements);
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(Integer.toString(version));
    }

    @Override
    public String getDescription() {
        return description;
    }

    @Override
    public Integer getChecksum() {
        return version;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        apply(context.getConnection());
    }

    /** Runs the statements when {@code connection} is PostgreSQL; does nothing on any other database. */
    public void apply(Connection connection) throws SQLException {
        if (!Databases.isPostgres(connection)) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
