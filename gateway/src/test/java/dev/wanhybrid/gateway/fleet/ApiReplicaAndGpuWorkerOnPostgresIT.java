package dev.wanhybrid.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.e2e.support.GatewayOnPostgres;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.jobs.JobDispatcher;
import dev.wanhybrid.gateway.routing.BackendHealth;
import dev.wanhybrid.gateway.routing.DefaultRoutePlanner;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The cluster of the Helm chart on one real PostgreSQL: a CPU "API replica" ({@code gateway.role=api}, cloud jobs
 * only, no engine) and a "GPU worker" ({@code gateway.role=worker}, local jobs only, the demo engine on the CPU).
 * The API replica routes to the worker's engines through its heartbeat, meters the shared queue, and stops routing
 * locally when the worker is gone.
 */
class ApiReplicaAndGpuWorkerOnPostgresIT {

    static final String KEY = "sk-fleet-test";
    static final String REQUEST = """
            {"prompt": "a red kite over the sea", "size": "256x160", "seconds": "1", "seed": 7}""";

    static EmbeddedPostgres postgres;
    static Path results;
    static ConfigurableApplicationContext api;
    static ConfigurableApplicationContext worker;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        results = Files.createTempDirectory("fleet-results");
        api = instance("api", "cloud", "--gateway.local.demo-engine=false");
        worker = instance("worker", "local", "--gateway.local.steps=2");
    }

    static ConfigurableApplicationContext instance(String role, String backends, String... extra) {
        List<String> args = GatewayOnPostgres.args(postgres, results, "gw-" + role);
        args.addAll(List.of(
                "--gateway.demo.api-key=" + KEY,
                "--gateway.role=" + role,
                "--gateway.jobs.backends=" + backends,
                "--gateway.fleet.heartbeat-interval=200ms", "--gateway.fleet.stale-after=3s"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(GatewayApplication.class).profiles("demo")
                .run(args.toArray(String[]::new));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null && worker.isActive()) {
            worker.close();
        }
        if (api != null) {
            api.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static int port(ConfigurableApplicationContext context) {
        return GatewayOnPostgres.port(context);
    }

    static BackendHealth localHealthOnApi() {
        return api.getBean(DefaultRoutePlanner.class).context("demo").health().get("local");
    }

    static double gaugeOnApi(String name) {
        return api.getBean(MeterRegistry.class).get(name).gauge().value();
    }

    @Test
    void theApiReplicaRoutesToTheWorkersEnginesMetersTheSharedQueueAndStopsWhenTheWorkerIsGone() {
        Http onApi = new Http(port(api), KEY);
        await().atMost(Duration.ofSeconds(20)).until(() -> localHealthOnApi().ready());
        assertThat(localHealthOnApi().servedModels()).contains("wan2.1-t2v-demo");
        assertThat(gaugeOnApi("gateway.local.workers.ready")).as("the demo worker's two engine workers")
                .isEqualTo(2.0);
        Health fleetHealth = api.getBean("localFleetHealthIndicator", HealthIndicator.class).health();
        assertThat(fleetHealth.getStatus()).isEqualTo(Status.UP);
        assertThat(fleetHealth.getDetails()).containsEntry("liveWorkerInstances", 1);

        // The worker holds off claiming, so the job waits in the shared queue where the API replica can see it.
        JobDispatcher workerDispatcher = worker.getBean(JobDispatcher.class);
        workerDispatcher.stop();
        Http.Reply created = onApi.postJson("/v1/videos", REQUEST);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().path("route").path("backend").asString()).isEqualTo("local");
        assertThat(created.json().path("route").path("model").asString()).isEqualTo("wan2.1-t2v-demo");
        String id = created.json().path("id").asString();
        assertThat(gaugeOnApi("gateway.local.queue.depth")).as("the job waiting in the jobs table").isEqualTo(1.0);

        workerDispatcher.start();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String status = onApi.get("/v1/videos/" + id).json().path("status").asString();
            assertThat(status).isNotEqualTo("failed");
            return status.equals("completed");
        });
        HttpResponse<byte[]> mp4 = onApi.getBytes("/v1/videos/" + id + "/content", null);
        assertThat(mp4.statusCode()).isEqualTo(200);
        assertThat(new String(mp4.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(gaugeOnApi("gateway.local.queue.depth")).isZero();

        // A stopping worker removes its heartbeat: the API replica stops choosing local at once.
        worker.close();
        BackendHealth gone = localHealthOnApi();
        assertThat(gone.ready()).isFalse();
        assertThat(gone.detail()).contains("heartbeat");
        assertThat(gaugeOnApi("gateway.local.workers.ready")).isZero();
        assertThat(api.getBean("localFleetHealthIndicator", HealthIndicator.class).health().getStatus())
                .isEqualTo(Status.UNKNOWN);
        // The demo size is local-only; at the default size the cloud (the demo profile's simulator) takes over.
        Http.Reply after = onApi.postJson("/v1/videos", "{\"prompt\": \"a red kite over the sea\"}");
        assertThat(after.status()).as(after.body()).isEqualTo(200);
        JsonNode route = after.json().path("route");
        assertThat(route.path("backend").asString()).isEqualTo("cloud");
    }
}
