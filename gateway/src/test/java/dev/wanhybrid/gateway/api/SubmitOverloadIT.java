package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import dev.wanhybrid.gateway.e2e.support.Http;
import dev.wanhybrid.gateway.e2e.support.RecordingLedger;
import dev.wanhybrid.gateway.e2e.support.TestBackends;
import dev.wanhybrid.gateway.jobs.JobStore;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Bounded overload over HTTP (issue 19): with every connection of the store's pool held, submissions pile up
 * waiting for one; once {@code gateway.submit.max-in-flight} of them are under way, the next is answered at once
 * with 503, {@code Retry-After} and OpenAI's error envelope, and leaves nothing behind (no job, no reservation).
 * When the pool is free again the waiting submissions are accepted.
 */
@TestPropertySource(properties = {
    "spring.datasource.url=jdbc:h2:mem:submit-overload;DB_CLOSE_DELAY=-1",
    "spring.datasource.hikari.maximum-pool-size=4",
    "gateway.submit.max-in-flight=3",
    "gateway.submit.retry-after=2s",
})
class SubmitOverloadIT extends ApiTestBase {

    static final int MAX_IN_FLIGHT = 3;

    @LocalServerPort
    int port;

    @Autowired
    HikariDataSource dataSource;

    @Autowired
    JobStore store;

    @Autowired
    RecordingLedger ledger;

    @Test
    void submitsBeyondTheInFlightLimitGet503WithRetryAfterAndCreateNothing() throws Exception {
        ledger.reset();
        Http alpha = new Http(port, TestBackends.ALPHA_KEY);
        long jobsBefore = store.countJobs();
        List<Connection> held = new ArrayList<>();
        List<Future<Http.Reply>> started = new ArrayList<>();
        List<Http.Reply> refused = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int i = 0; i < dataSource.getMaximumPoolSize(); i++) {
                    held.add(dataSource.getConnection());
                }
                // Submissions that will wait for a connection, holding their in-flight permits. Until all the
                // permits are taken a probe may itself become one of them, so probes go on until one is refused.
                for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                    int n = i;
                    started.add(clients.submit(() -> alpha.postJson("/v1/videos",
                            "{\"prompt\": \"waiting " + n + "\"}")));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    Future<Http.Reply> probe = clients.submit(() -> alpha.postJson("/v1/videos",
                            "{\"prompt\": \"probe\"}"));
                    try {
                        return probe.get(1, java.util.concurrent.TimeUnit.SECONDS).status() == 503;
                    } catch (java.util.concurrent.TimeoutException slowOrWaiting) {
                        return false;
                    } finally {
                        started.add(probe);
                    }
                });
                // Now every permit is held by a submission waiting for the store: each further one is refused at once.
                for (int i = 0; i < 5; i++) {
                    Http.Reply reply = alpha.postJson("/v1/videos", "{\"prompt\": \"one too many " + i + "\"}");
                    assertThat(reply.status()).as(reply.body()).isEqualTo(503);
                    refused.add(reply);
                }
            } finally {
                for (Connection connection : held) {
                    connection.close();
                }
            }

            // Released: the submissions that held the permits are accepted; every other one was refused.
            List<String> accepted = new ArrayList<>();
            for (Future<Http.Reply> submission : started) {
                Http.Reply reply = submission.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(reply.status()).as(reply.body()).isIn(200, 503);
                if (reply.status() == 200) {
                    accepted.add(reply.json().path("id").asString());
                } else {
                    refused.add(reply);
                }
            }
            assertThat(accepted).hasSize(MAX_IN_FLIGHT).doesNotHaveDuplicates();
            for (Http.Reply reply : refused) {
                assertThat(reply.status()).as(reply.body()).isEqualTo(503);
                assertThat(reply.header("Retry-After")).isEqualTo("2");
                JsonNode error = reply.json().path("error");
                assertThat(error.path("type").asString()).isEqualTo("service_unavailable");
                assertThat(error.path("code").asString()).isEqualTo("overloaded");
                assertThat(error.path("message").asString()).isNotBlank();
                assertThat(error.has("param")).isTrue();
                assertThat(error.path("param").isNull()).isTrue();
                assertThat(reply.json().has("id")).isFalse();
            }
            assertThat(store.countJobs() - jobsBefore).as("a job for each accepted submission, none for the refused")
                    .isEqualTo(accepted.size());
            assertThat(ledger.reservationsMade()).isEqualTo(accepted.size());
        }
    }
}
