package dev.wanhybrid.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.e2e.support.ChildJvm;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway process (its own JVM, embedded H2 file job store) is killed with SIGKILL while every accepted job is
 * running at the cloud; a new process on the same files completes all of them, and the DashScope simulator (in
 * this JVM, on loopback) sees exactly one submission per job.
 */
class SigkillRecoveryIT {

    static final String MODEL = "wan2.5-t2v-preview";
    static final int JOBS = 4;

    DashScopeSimulator simulator;
    Path work;
    Process gateway;

    @BeforeEach
    void startSimulator() throws IOException {
        simulator = DashScopeSimulator.builder().apiKey("sk-sim-sigkill").catalog(ModelCatalog.load())
                .pendingFor(Duration.ofMillis(500)).runningFor(Duration.ofSeconds(8)).build().start();
        work = Files.createTempDirectory("sigkill-it");
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly().waitFor();
            }
        }
        simulator.close();
    }

    @Test
    void everyAcceptedJobCompletesAfterAKillMinus9WithNoDuplicateCloudSubmission() throws Exception {
        int port = freePort();
        gateway = startGateway(port, "first");
        Http http = new Http(port, TestBackends.ALPHA_KEY);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            Http.Reply created = http.postJson("/v1/videos", "{\"prompt\": \"survivor " + i + "\", \"model\": \"" + MODEL
                    + "\", \"seconds\": \"5\", \"size\": \"832x480\", \"routing\": {\"backend\": \"cloud\"}}");
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            ids.add(created.json().path("id").asString());
        }
        // Mid-job: every task accepted by the cloud (its id written), none finished yet.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> ids.stream()
                .allMatch(id -> "in_progress".equals(http.get("/v1/videos/" + id).json().path("status").asString())));
        assertThat(simulator.submissions(MODEL)).isEqualTo(JOBS);

        gateway.destroyForcibly();
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();

        gateway = startGateway(port, "second");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> ids.stream()
                .allMatch(id -> "completed".equals(statusOf(http, id))));

        assertThat(simulator.submissions(MODEL)).as("cloud submissions").isEqualTo(JOBS);
        for (String id : ids) {
            HttpResponse<byte[]> mp4 = http.getBytes("/v1/videos/" + id + "/content", null);
            assertThat(mp4.statusCode()).isEqualTo(200);
            assertThat(new String(mp4.body(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        }
    }

    /** A job's status; when the gateway does not answer in time, its threads are dumped next to its log first. */
    private String statusOf(Http http, String id) {
        try {
            return http.get("/v1/videos/" + id).json().path("status").asString();
        } catch (java.io.UncheckedIOException e) {
            Path dump = ChildJvm.dumpThreads(gateway, work.resolve("threads-second.txt"), e);
            throw new java.io.UncheckedIOException("the gateway did not answer for " + id + "; its threads: " + dump,
                    e.getCause());
        }
    }

    private Process startGateway(int port, String name) throws IOException {
        List<String> command = ChildJvm.command("512m");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayApplication.class.getName(),
                "--server.port=" + port,
                "--spring.datasource.url=jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0",
                "--gateway.storage.local.root=" + work.resolve("results"),
                "--gateway.cloud.base-url=" + simulator.baseUrl(),
                "--gateway.cloud.api-key=sk-sim-sigkill",
                "--gateway.jobs.lease-ttl=3s", "--gateway.jobs.tick=100ms",
                "--gateway.jobs.poll-min=300ms", "--gateway.jobs.poll-max=1s",
                "--spring.main.banner-mode=off"));
        for (String tenant : TestBackends.TENANTS) {
            command.add("--" + tenant);
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
        Http anonymous = new Http(port, null);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("gateway exited: " + Files.readString(work.resolve(name + ".log")));
                    }
                    return anonymous.get("/actuator/health/liveness").status() == 200;
                });
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
