package dev.wanhybrid.gateway.e2e.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** One embedded PostgreSQL server (zonky) handing out a fresh, empty database per call. */
public final class FreshPostgresDatabases implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final String prefix;
    private final AtomicInteger databases = new AtomicInteger();

    public FreshPostgresDatabases(String prefix) throws Exception {
        this.postgres = EmbeddedPostgres.builder().start();
        this.prefix = prefix;
    }

    public DataSource fresh() {
        String name = prefix + databases.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return postgres.getDatabase("postgres", name);
    }

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}
