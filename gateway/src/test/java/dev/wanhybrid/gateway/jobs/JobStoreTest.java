package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The job store's transitions, optimistic checks, leases and event outbox on H2 with the real migration. */
class JobStoreTest {

    static final Instant T0 = Instant.parse("2026-11-22T04:00:00Z");

    JobStore store;

    JdbcDataSource dataSource;

    @BeforeEach
    void database() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:jobstore-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        store = new JobStore(JdbcClient.create(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                job -> "{\"id\":\"" + job.id() + "\",\"status\":\"" + job.status().wire() + "\"}");
    }

    static Job newJob(String id, String backend) {
        GenerationSpec spec = new GenerationSpec("acme", "auto", TaskKind.T2V, "a prompt", null, null, 5, null, null,
                null, null, null);
        RouteCandidate candidate = new RouteCandidate(backend, "m-" + backend, new BigDecimal("0.10"),
                Duration.ofSeconds(60));
        JobRoute route = JobRoute.of(new Route(List.of(candidate), List.of(), "cheapest"), List.of(candidate), List.of());
        return Job.accepted(id, spec, route, T0);
    }

    @Test
    void aJobRoundTripsWithItsSpecRouteAndFirstEvent() {
        store.create(newJob("video_a", "local"));
        Job read = store.find("video_a").orElseThrow();
        assertThat(read.spec().prompt()).isEqualTo("a prompt");
        assertThat(read.route().candidates()).extracting(JobRoute.Candidate::model).containsExactly("m-local");
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(store.eventsAfter(Set.of("video_a"), 0, 10)).extracting(JobEvent::type).containsExactly("video.queued");
    }

    @Test
    void aTransitionWritesTheRowAndItsEventTogetherAndAStaleWriterLoses() {
        Job job = store.create(newJob("video_b", "local"));
        Job running = store.transition(job, JobPhase.SUBMITTING, null, T0, set -> {}).orElseThrow();
        running = store.transition(running, JobPhase.RUNNING, null, T0.plusSeconds(1), set -> set.taskId("t-1"))
                .orElseThrow();
        assertThat(running.status()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(running.taskId()).isEqualTo("t-1");

        // A writer holding the old version cannot overwrite the newer row.
        assertThat(store.transition(job, JobPhase.CANCELLED, null, T0, set -> {})).isEmpty();
        assertThat(store.eventsAfter(Set.of("video_b"), 0, 10)).extracting(JobEvent::type)
                .as("queued to submitting changes nothing a client sees: no video.updated")
                .containsExactly("video.queued", "video.in_progress");
    }

    @Test
    void theStateMachineRefusesATransitionItDoesNotAllow() {
        Job job = store.create(newJob("video_c", "local"));
        Job done = store.transition(job, JobPhase.CANCELLED, null, T0, set -> {}).orElseThrow();
        assertThatThrownBy(() -> store.transition(done, JobPhase.RUNNING, null, T0, set -> {}))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.transition(job, JobPhase.COMPLETED, null, T0, set -> {}))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eachJobIsClaimedByExactlyOneOfManyConcurrentClaimers() throws Exception {
        for (int i = 0; i < 40; i++) {
            store.create(newJob("video_" + i, "cloud"));
        }
        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> claimers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                String owner = "owner-" + c;
                claimers.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 10; round++) {
                        store.claim(owner, Set.of("cloud"), T0, T0.plusSeconds(30), 7)
                                .forEach(job -> claimed.add(job.id()));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : claimers) {
                f.get();
            }
        }
        assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
    }

    @Test
    void aLeaseThatExpiredIsTakenOverAndTheOldOwnerCanNoLongerWrite() {
        store.create(newJob("video_d", "local"));
        Job mine = store.claim("a", Set.of("local"), T0, T0.plusSeconds(30), 10).getFirst();
        assertThat(store.claim("b", Set.of("local"), T0.plusSeconds(10), T0.plusSeconds(40), 10)).isEmpty();
        assertThat(store.claim("b", Set.of("cloud"), T0.plusSeconds(31), T0.plusSeconds(61), 10)).isEmpty();

        Job taken = store.claim("b", Set.of("local"), T0.plusSeconds(31), T0.plusSeconds(61), 10).getFirst();
        assertThat(taken.leaseOwner()).isEqualTo("b");
        assertThat(store.transition(taken, JobPhase.SUBMITTING, "a", T0.plusSeconds(32), set -> {})).isEmpty();
        assertThat(store.transition(taken, JobPhase.SUBMITTING, "b", T0.plusSeconds(32), set -> {})).isPresent();
        assertThat(mine.leaseOwner()).isEqualTo("a");
    }

    @Test
    void renewingExtendsEveryLeaseOfTheOwnerAndAFinishedJobDropsItsLease() {
        store.create(newJob("video_e", "local"));
        store.create(newJob("video_f", "local"));
        List<Job> claimed = store.claim("a", Set.of("local"), T0, T0.plusSeconds(30), 10);
        assertThat(store.renewLeases("a", T0.plusSeconds(90))).isEqualTo(2);
        assertThat(store.claim("b", Set.of("local"), T0.plusSeconds(60), T0.plusSeconds(90), 10)).isEmpty();

        Job failed = store.transition(claimed.getFirst(), JobPhase.FAILED, "a", T0.plusSeconds(61),
                set -> set.error("x", "y")).orElseThrow();
        assertThat(failed.leaseOwner()).isNull();
        assertThat(failed.completedAt()).isEqualTo(T0.plusSeconds(61));
        assertThat(store.renewLeases("a", T0.plusSeconds(120))).isEqualTo(1);
    }

    @Test
    void listingPagesByCreationTimeWithTheIdAsTieBreaker() {
        for (int i = 0; i < 5; i++) {
            store.create(newJob("video_" + i, "local"));
        }
        List<Job> first = store.list("acme", null, 2, true);
        assertThat(first).extracting(Job::id).containsExactly("video_0", "video_1", "video_2");
        List<Job> second = store.list("acme", first.get(1), 2, true);
        assertThat(second).extracting(Job::id).containsExactly("video_2", "video_3", "video_4");
        assertThat(store.list("other", null, 10, true)).isEmpty();
    }

    /**
     * The webhook sender's event scan gets the payload and the stored request only of jobs that name a webhook; a
     * prompt that mentions the field, quotes and all, does not make a job one of them.
     */
    @Test
    void theWebhookScanReadsPayloadsAndSpecsOnlyOfJobsWithAWebhook() {
        GenerationSpec plain = new GenerationSpec("acme", "auto", TaskKind.T2V, "say \"webhook_url\" aloud", null,
                null, 5, null, null, null, null, null);
        GenerationSpec hooked = new GenerationSpec("acme", "auto", TaskKind.T2V, "a prompt", null, null, 5, null, null,
                null, java.net.URI.create("https://hooks.example.com/videos"), null);
        Job first = newJob("video_plain", "cloud");
        store.create(Job.accepted("video_plain", plain, first.route(), first.createdAt()));
        store.create(Job.accepted("video_hooked", hooked, first.route(), first.createdAt()));

        List<JobQueries.StoredEvent> events = new JobQueries(JdbcClient.create(dataSource)).eventsAfter(0, 10);

        assertThat(events).extracting(JobQueries.StoredEvent::jobId).containsExactly("video_plain", "video_hooked");
        assertThat(events.getFirst().payload()).isNull();
        assertThat(events.getFirst().specJson()).isNull();
        assertThat(events.getLast().payload()).contains("video_hooked");
        assertThat(events.getLast().specJson()).contains("\"webhook_url\"").contains("hooks.example.com");
    }
}
