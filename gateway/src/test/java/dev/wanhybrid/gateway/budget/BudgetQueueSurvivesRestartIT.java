package dev.wanhybrid.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.GatewayApplication;
import dev.wanhybrid.gateway.e2e.support.ChildJvm;
import dev.wanhybrid.gateway.e2e.support.Http;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;

/**
 * Jobs waiting in the budget queue ({@code when_exhausted: queue}) across gateway restarts on the same store.
 *
 * <p>In this JVM, on an H2 file and on PostgreSQL, with one clock the test moves while no gateway runs: a clean stop
 * leaves both waiting jobs waiting, unchanged (id, phase, {@code budget_wait}); a gateway started after the cap's
 * day reset and one job's deadline passed runs the first, charged once to the new day, and fails the second with
 * {@code budget_queue_timeout}, nothing billed.
 *
 * <p>As a child process, the real executable jar (demo profile, H2 file) is killed with {@code kill -9} while a job
 * waits; the new process shows it waiting, and runs it once the cap is raised, billed once.
 */
class BudgetQueueSurvivesRestartIT {

    static final String KEY = "sk-demo-budget-restart";
    private static final String ADMIN_SHA256 = "16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01";
    /** wan2.2-t2v-plus in the cloud, 5 x $0.02; the demo's in-JVM engine cannot make it. */
    private static final String CLIP = "{\"prompt\":\"a lighthouse\",\"size\":\"832x480\",\"seconds\":\"5\"";
    /** Shared by every gateway this class starts in-process, so time moves on while none runs. */
    static final MovableClock CLOCK = new MovableClock();

    @TestConfiguration
    static class SharedClock {
        @Bean
        @Primary
        MovableClock movableClock() {
            return CLOCK;
        }
    }

    @Test
    void onAnH2FileWaitingJobsSurviveACleanStopAndResumeAfterTheResetAndTheDeadline() throws Exception {
        Path work = Files.createTempDirectory("budget-restart-h2");
        String url = "jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0";
        waitingJobsSurviveRestarts(work, List.of("--spring.datasource.url=" + url), url, "sa", "");
    }

    @Test
    void onPostgresWaitingJobsSurviveACleanStopAndResumeAfterTheResetAndTheDeadline() throws Exception {
        Path work = Files.createTempDirectory("budget-restart-pg");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            waitingJobsSurviveRestarts(work, List.of("--spring.datasource.url=" + url,
                    "--spring.datasource.username=postgres", "--spring.datasource.password="), url, "postgres", "");
        }
    }

    private void waitingJobsSurviveRestarts(Path work, List<String> database, String url, String user,
            String password) throws Exception {
        LocalDate day = CLOCK.instant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1);
        // 15 minutes before midnight: room for three gateway starts before the day resets.
        CLOCK.moveTo(day.atTime(23, 45).toInstant(ZoneOffset.UTC));
        Instant midnight = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        String firstId;
        JsonNode resets;
        JsonNode deadline;
        try (ConfigurableApplicationContext first = startInProcess(work, database)) {
            int port = port(first);
            Http demo = new Http(port, KEY);
            // $0.15 a day: the first $0.10 clip fits, the next ones wait for the day to reset.
            assertThat(BudgetAdmin.putDemoDayCap(port, "0.15", "queue").status()).isEqualTo(200);
            Http.Reply created = demo.postJson("/v1/videos", CLIP + "}");
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            firstId = created.json().path("id").asString();
            resets = waiting(demo, CLIP + "}");
            deadline = waiting(demo, CLIP + ",\"routing\":{\"deadline_seconds\":600}}");
            assertThat(resets.at("/budget_wait/next_attempt_at").asLong()).isEqualTo(midnight.getEpochSecond());
            assertThat(deadline.at("/budget_wait/bound").asString()).isEqualTo("routing.deadline_seconds");
            assertThat(FinishedVideo.of(demo, firstId).path("status").asString()).isEqualTo("completed");
        }
        String resetsId = resets.path("id").asString();
        String deadlineId = deadline.path("id").asString();

        // A clean stop and a start at the same time: nothing is due, both still wait exactly as they did.
        try (ConfigurableApplicationContext second = startInProcess(work, database)) {
            Http demo = new Http(port(second), KEY);
            assertThat(assertStillWaiting(demo, resets).path("budget_wait")).isEqualTo(resets.path("budget_wait"));
            assertThat(assertStillWaiting(demo, deadline).path("budget_wait"))
                    .isEqualTo(deadline.path("budget_wait"));
            assertThat(phase(url, user, password, resetsId)).isEqualTo("budget_queued");
        }

        // While no gateway runs, the second job's deadline (23:45 + 600 s) passes and the day resets.
        CLOCK.moveTo(midnight.plusSeconds(60));
        try (ConfigurableApplicationContext third = startInProcess(work, database)) {
            Http demo = new Http(port(third), KEY);
            JsonNode ran = FinishedVideo.of(demo, resetsId);
            assertThat(ran.path("status").asString()).as(ran.toString()).isEqualTo("completed");
            assertThat(ran.path("backend").asString()).isEqualTo("cloud");
            assertThat(ran.at("/route/fallbacks").valueStream().anyMatch(f -> f.path("reason").asString()
                    .equals("budget_queue"))).as(ran.toString()).isTrue();
            JsonNode failed = FinishedVideo.of(demo, deadlineId);
            assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("failed");
            assertThat(failed.at("/error/code").asString()).isEqualTo("budget_queue_timeout");
            assertThat(failed.at("/error/message").asString()).contains("tenant:demo/day")
                    .contains("routing.deadline_seconds").contains("nothing was billed");
            assertThat(third.getBean(DashScopeSimulator.class).submissions("wan2.2-t2v-plus"))
                    .as("cloud tasks this gateway created: the waiting job's, once").isEqualTo(1);
        }
        Ledger resetsEntry = ledger(url, user, password, resetsId);
        assertThat(resetsEntry.entries()).as("ledger entries of the job that ran").isEqualTo(1);
        assertThat(resetsEntry.state()).isEqualTo("settled");
        assertThat(resetsEntry.actualUsd()).isEqualByComparingTo("0.10");
        assertThat(resetsEntry.dayKey()).as("charged to the day it ran").isEqualTo(day.plusDays(1).toString());
        assertThat(ledger(url, user, password, deadlineId).entries()).as("nothing billed for the timed-out job")
                .isZero();
        assertThat(reservedUsd(url, user, password)).as("left reserved").isEqualByComparingTo("0");
    }

    @Test
    void theExecutableKilledWithSigkillWhileAJobWaitsRunsItOnceTheCapIsRaised() throws Exception {
        Path work = Files.createTempDirectory("budget-restart-kill");
        String url = "jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0";
        int port = freePort();
        Process gateway = startExecutable(work, url, port, "first");
        try {
            Http demo = new Http(port, KEY);
            assertThat(BudgetAdmin.putDemoDayCap(port, "0", "queue").status()).isEqualTo(200);
            JsonNode waiting = waiting(demo, CLIP + "}");
            String id = waiting.path("id").asString();

            gateway.destroyForcibly();
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
            gateway = startExecutable(work, url, port, "second");

            assertStillWaiting(demo, waiting);
            assertThat(BudgetAdmin.putDemoDayCap(port, "1", "queue").status()).isEqualTo(200);
            JsonNode ran = FinishedVideo.of(demo, id);
            assertThat(ran.path("status").asString()).as(ran.toString()).isEqualTo("completed");
            assertThat(ran.path("backend").asString()).isEqualTo("cloud");
            assertThat(ran.at("/route/fallbacks").valueStream().filter(f -> f.path("reason").asString()
                    .equals("budget_queue")).findFirst().orElseThrow().path("detail").asString())
                    .contains("had room again");
            assertThat(new Http(port, "admin-secret").get("/v1/budgets").json().path("data").get(0)
                    .path("committed_usd").decimalValue()).isEqualByComparingTo("0.10");
            stop(gateway);
            Ledger entry = ledger(url, "sa", "", id);
            assertThat(entry.entries()).isEqualTo(1);
            assertThat(entry.state()).isEqualTo("settled");
            assertThat(entry.actualUsd()).isEqualByComparingTo("0.10");
            assertThat(reservedUsd(url, "sa", "")).as("left reserved").isEqualByComparingTo("0");
        } finally {
            stop(gateway);
        }
    }

    private static JsonNode waiting(Http demo, String body) {
        Http.Reply created = demo.postJson("/v1/videos", body);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode video = created.json();
        assertThat(video.at("/route/reason").asString()).as(video.toString()).isEqualTo("budget_queued");
        assertThat(video.at("/budget_wait/cap").asString()).isEqualTo("tenant:demo/day");
        return video;
    }

    /**
     * The restarted gateway serves the job as the first one left it: queued, the same route reason and the same
     * wait (its next attempt moves with each recheck, so the caller compares that where nothing was rechecked).
     */
    private static JsonNode assertStillWaiting(Http demo, JsonNode before) {
        JsonNode now = demo.get("/v1/videos/" + before.path("id").asString()).json();
        assertThat(now.path("id").asString()).isEqualTo(before.path("id").asString());
        assertThat(now.path("status").asString()).as(now.toString()).isEqualTo("queued");
        assertThat(now.at("/route/reason").asString()).isEqualTo("budget_queued");
        for (String field : List.of("cap", "resets_at", "gives_up_at", "bound")) {
            assertThat(now.path("budget_wait").path(field)).as("budget_wait.%s after the restart", field)
                    .isEqualTo(before.path("budget_wait").path(field));
        }
        assertThat(now.path("created_at").asLong()).isEqualTo(before.path("created_at").asLong());
        return now;
    }

    private static List<String> demoArgs(Path work) {
        return new ArrayList<>(List.of(
                "--spring.profiles.active=demo",
                "--gateway.demo.api-key=" + KEY,
                "--gateway.admin.token-sha256=" + ADMIN_SHA256,
                "--gateway.storage.local.root=" + work.resolve("results"),
                "--gateway.jobs.tick=50ms", "--gateway.jobs.poll-min=50ms", "--gateway.jobs.poll-max=200ms",
                "--gateway.cloud.simulator.pending-for=1s", "--gateway.cloud.simulator.running-for=1s",
                "--gateway.local.steps=2", "--gateway.budget.headroom-refresh=0s",
                "--gateway.budget.queue.poll=100ms",
                "--spring.main.banner-mode=off"));
    }

    private static ConfigurableApplicationContext startInProcess(Path work, List<String> database) {
        List<String> args = demoArgs(work);
        args.add("--server.port=0");
        // Long enough that only the cap's reset and the deadline bring a waiting job back.
        args.add("--gateway.budget.queue.recheck=1h");
        args.addAll(database);
        return new SpringApplicationBuilder(GatewayApplication.class, SharedClock.class)
                .run(args.toArray(String[]::new));
    }

    private static Process startExecutable(Path work, String url, int port, String name) throws IOException {
        String jar = System.getProperty("gateway.executable-jar");
        assertThat(jar).as("system property gateway.executable-jar (set by failsafe after package)").isNotNull();
        List<String> command = ChildJvm.command("512m");
        command.addAll(List.of("-jar", jar));
        command.addAll(demoArgs(work));
        command.addAll(List.of("--server.port=" + port, "--spring.datasource.url=" + url,
                // A raised cap is noticed at the next recheck.
                "--gateway.budget.queue.recheck=1s"));
        Path log = work.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        Http anonymous = new Http(port, null);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("gateway exited: " + Files.readString(log));
                    }
                    return anonymous.get("/actuator/health/liveness").status() == 200;
                });
        return process;
    }

    private static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A job's rows in the spend ledger, read from the store once no gateway holds it. */
    record Ledger(int entries, String state, BigDecimal actualUsd, String dayKey) {}

    private static Ledger ledger(String url, String user, String password, String jobId) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement s = c.prepareStatement(
                        "SELECT state, actual_usd, day_key FROM spend_entries WHERE job_id = ?")) {
            s.setString(1, jobId);
            try (ResultSet rows = s.executeQuery()) {
                int entries = 0;
                Ledger last = new Ledger(0, null, null, null);
                while (rows.next()) {
                    entries++;
                    last = new Ledger(entries, rows.getString(1), rows.getBigDecimal(2), rows.getString(3));
                }
                return last;
            }
        }
    }

    private static BigDecimal reservedUsd(String url, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement s = c.prepareStatement("SELECT COALESCE(SUM(reserved_usd), 0) FROM spend_entries");
                ResultSet rows = s.executeQuery()) {
            rows.next();
            return rows.getBigDecimal(1);
        }
    }

    private static String phase(String url, String user, String password, String jobId) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement s = c.prepareStatement("SELECT phase FROM jobs WHERE id = ?")) {
            s.setString(1, jobId);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
