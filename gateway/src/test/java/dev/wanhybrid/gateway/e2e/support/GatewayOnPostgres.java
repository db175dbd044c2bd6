package dev.wanhybrid.gateway.e2e.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Command-line arguments and lookups for gateway instances started side by side on one embedded PostgreSQL. */
public final class GatewayOnPostgres {

    private GatewayOnPostgres() {}

    /**
     * The arguments every such instance needs: a random port, the shared database and result folder, its own lease
     * owner id, and dispatcher timings fast enough for tests.
     */
    public static List<String> args(EmbeddedPostgres postgres, Path results, String instanceId) {
        return new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=",
                "--gateway.storage.local.root=" + results,
                "--gateway.jobs.instance-id=" + instanceId,
                "--gateway.jobs.tick=50ms", "--gateway.jobs.poll-min=50ms", "--gateway.jobs.poll-max=200ms",
                "--gateway.events.poll-interval=50ms"));
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
