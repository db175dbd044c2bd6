package dev.wanhybrid.gateway.e2e.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.StringJoiner;
import javax.sql.DataSource;

/**
 * The PostgreSQL the benchmarks measure against: zonky's embedded binaries (the ones the tests use), but durable.
 * zonky's builder turns {@code fsync} and {@code synchronous_commit} off, which suits tests and would make a
 * "durable submit" figure a lie: a commit would return before its WAL reached the disk. Here both are PostgreSQL's
 * own defaults again ({@code on}), as a production server runs, and {@link #settings} reads back what the server
 * actually uses, so a benchmark prints it rather than assumes it.
 */
public final class DurablePostgres {

    /** The settings {@link #settings} reports. */
    static final List<String> REPORTED = List.of("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers",
            "server_version");

    private DurablePostgres() {}

    /** Starts a server with {@code fsync} and {@code synchronous_commit} on. */
    public static EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    /** "fsync=on, synchronous_commit=on, ..." as the server reports them ({@code SHOW}). */
    public static String settings(DataSource dataSource) throws SQLException {
        StringJoiner all = new StringJoiner(", ");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String name : REPORTED) {
                try (ResultSet r = s.executeQuery("SHOW " + name)) {
                    r.next();
                    all.add(name + "=" + r.getString(1));
                }
            }
        }
        return all.toString();
    }
}
