package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.GatewayApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
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

    /**
     * Starts one instance with {@link #args}, the test tenants and the scripted backends of {@link TestBackends},
     * and any further arguments ({@code --name=value}).
     */
    public static ConfigurableApplicationContext start(EmbeddedPostgres postgres, Path results, String instanceId,
            String... extra) {
        List<String> args = args(postgres, results, instanceId);
        for (String tenant : TestBackends.TENANTS) {
            args.add("--" + tenant);
        }
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(GatewayApplication.class, TestBackends.class)
                .run(args.toArray(String[]::new));
    }

    /** Closes instances and then the database, in the order given, skipping any that never started. */
    public static void close(AutoCloseable... started) throws Exception {
        for (AutoCloseable one : started) {
            if (one != null) {
                one.close();
            }
        }
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
