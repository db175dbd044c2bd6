package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.e2e.support.RecordingLedger;
import dev.wanhybrid.gateway.e2e.support.ScriptedBackend;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.routing.HedgeGuard;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Single steps of the dispatcher's state machine, driven by hand against H2 and a scripted backend. */
class JobProcessorTest {

    static final String OWNER = "me";

    @TempDir
    Path results;

    JobStore store;
    JobProcessor processor;
    ScriptedBackend cloud = new ScriptedBackend("cloud");
    ScriptedBackend local = new ScriptedBackend("local");
    RecordingLedger ledger = new RecordingLedger();
    JobProperties properties;
    SimpleMeterRegistry jobMeters = new SimpleMeterRegistry();

    @BeforeEach
    void wire() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:processor-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        store = new JobStore(JdbcClient.create(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), job -> "{}");
        BackendRegistry registry = registryOf(local, cloud);
        properties = new JobProperties(true, "", List.of(), Duration.ofSeconds(30), Duration.ofMillis(250), 20, 32,
                Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2),
                org.springframework.util.unit.DataSize.ofMegabytes(10), 3, List.of("local"), Duration.ofMinutes(30),
                Duration.ofMinutes(30));
        // A clock far in the future makes every job due at once.
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        processor = new JobProcessor(store, registry, ledger, new LocalDiskResultStore(results),
                new ResultPreviews(new LocalDiskResultStore(results)),
                new JobMetrics(jobMeters), properties, clock);
    }

    static BackendRegistry registryOf(VideoBackend... backends) {
        return new BackendRegistry() {
            @Override
            public Optional<VideoBackend> find(String id) {
                return all().stream().filter(b -> b.id().equals(id)).findFirst();
            }

            @Override
            public List<VideoBackend> all() {
                return List.of(backends);
            }
        };
    }

    private Job claimed(String id, String backend) {
        store.create(JobStoreTest.newJob(id, backend));
        return store.claim(OWNER, List.of(backend), Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-01-01T00:01:00Z"), 10).getFirst();
    }

    private List<Job> reclaim() {
        return store.claim(OWNER, List.of("cloud"), Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-01-01T00:01:00Z"), 10);
    }

    private Job step(String id) {
        processor.advance(store.find(id).orElseThrow(), OWNER, b -> true);
        return store.find(id).orElseThrow();
    }

    @Test
    void aJobLeftInSubmittingByACrashIsReconciledAndFoundWithoutASecondSubmission() throws Exception {
        Job job = claimed("video_crash1", "cloud");
        // The crashed dispatcher wrote submitting, sent the request, and died before writing the answer.
        store.transition(job, JobPhase.SUBMITTING, OWNER, Instant.now(), set -> {}).orElseThrow();
        cloud.submit(JobProcessor.task(job));

        assertThat(step("video_crash1").phase()).isEqualTo(JobPhase.SUBMISSION_UNKNOWN);
        Job reconciled = step("video_crash1");
        assertThat(reconciled.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(reconciled.taskId()).isEqualTo("cloud-task-video_crash1");
        assertThat(cloud.submissionsOf("video_crash1")).isEqualTo(1);
    }

    @Test
    void aJobLeftInSubmittingThatNeverReachedTheBackendIsSubmittedOnce() {
        Job job = claimed("video_crash2", "cloud");
        store.transition(job, JobPhase.SUBMITTING, OWNER, Instant.now(), set -> {}).orElseThrow();

        assertThat(step("video_crash2").phase()).isEqualTo(JobPhase.SUBMISSION_UNKNOWN);
        assertThat(step("video_crash2").phase()).isEqualTo(JobPhase.QUEUED);
        assertThat(step("video_crash2").phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(cloud.submissionsOf("video_crash2")).isEqualTo(1);
    }

    @Test
    void aJobPinnedToABackendThatIsBrieflyDownWaitsForItInsteadOfFailing() throws Exception {
        // Shortly after creation, so the job is well within its wait for the backend.
        Clock soon = Clock.fixed(JobStoreTest.T0.plusSeconds(60), ZoneOffset.UTC);
        processor = new JobProcessor(store, registryOf(local, cloud), ledger, new LocalDiskResultStore(results),
                new ResultPreviews(new LocalDiskResultStore(results)),
                new JobMetrics(new SimpleMeterRegistry()), properties, soon);
        cloud.script("a prompt", ScriptedBackend.Outcome.UNAVAILABLE, ScriptedBackend.Outcome.REFUSE);
        claimed("video_outage", "cloud");
        ledger.reserve("video_outage", "acme", "cloud", "m-cloud", java.math.BigDecimal.ONE);

        Job waiting = step("video_outage");
        assertThat(waiting.phase()).isEqualTo(JobPhase.QUEUED);
        assertThat(waiting.nextAttemptAt()).isAfter(soon.instant());
        assertThat(ledger.holdsReservation("video_outage")).isTrue();
        // The lease was given up, so any instance may take the job again once it is due.
        assertThat(reclaim()).extracting(Job::id).containsExactly("video_outage");
        assertThat(step("video_outage").phase()).isEqualTo(JobPhase.QUEUED);

        reclaim();
        Job running = step("video_outage");
        assertThat(running.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(cloud.submissionsOf("video_outage")).isEqualTo(1);
    }

    @Test
    void aJobWhoseOnlyBackendStaysDownLongerThanTheMaximumWaitFails() {
        // The fixed clock is years after the job was created: its wait is long over.
        cloud.script("a prompt", ScriptedBackend.Outcome.UNAVAILABLE);
        claimed("video_down", "cloud");

        Job failed = step("video_down");
        assertThat(failed.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.errorCode()).isEqualTo("backend_unavailable");
        assertThat(ledger.holdsReservation("video_down")).isFalse();
    }

    @Test
    void aSucceededTaskIsCopiedSettledOnceAndCompleted() {
        cloud.pollsUntilDone(1);
        claimed("video_ok", "cloud");
        assertThat(step("video_ok").phase()).isEqualTo(JobPhase.RUNNING);
        Job done = step("video_ok");
        assertThat(done.phase()).isEqualTo(JobPhase.COMPLETED);
        assertThat(done.resultSize()).isEqualTo(ScriptedBackend.tinyMp4().length);
        assertThat(done.resultSha256()).hasSize(64);
        assertThat(done.actualUsd()).isEqualByComparingTo("0.50");
        assertThat(ledger.settleCalls("video_ok")).isEqualTo(1);
        // Routed to the cloud at acceptance: its time there against the plan is recorded, not as a rescue.
        assertThat(jobMeters.get(JobMetrics.CLOUD_LATENCY_VS_PLANNED).tag("sent", "routed").summary().count())
                .isEqualTo(1);
        assertThat(jobMeters.find(JobMetrics.HEDGE_RESCUES).counters()).isEmpty();
    }

    @Test
    void aRoutedCloudJobFarSlowerThanPlannedCountsTowardsPausingHedging() throws Exception {
        HedgeGuard guard = new HedgeGuard(1.5, 0.1);
        for (int i = 0; i < HedgeGuard.MINIMUM - 1; i++) {
            guard.routedCloudJobTook(1.0);
        }
        processor = new JobProcessor(store, registryOf(local, cloud), ledger, new LocalDiskResultStore(results),
                new ResultPreviews(new LocalDiskResultStore(results)), new JobMetrics(jobMeters, guard), properties,
                Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
        cloud.pollsUntilDone(1);
        claimed("video_slow", "cloud");
        step("video_slow");
        assertThat(step("video_slow").phase()).isEqualTo(JobPhase.COMPLETED);
        // Done years after its creation against a plan of minutes: 1 late of 20 is 5 %, hedging stays on.
        assertThat(guard.allowsHedging()).isTrue();
        for (int i = 0; i < 2; i++) {
            cloud.pollsUntilDone(1);
            claimed("video_slow" + i, "cloud");
            step("video_slow" + i);
            step("video_slow" + i);
        }
        assertThat(guard.allowsHedging()).as("3 late of 22").isFalse();
    }

    @Test
    void aPaidTaskTheBackendForgotFailsInsteadOfBeingPaidForTwice() {
        cloud.holdRunning(true);
        claimed("video_gone", "cloud");
        step("video_gone");
        cloud.forgetTasks();
        Job failed = step("video_gone");
        assertThat(failed.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.errorCode()).isEqualTo("task_lost");
        assertThat(cloud.submissionsOf("video_gone")).isEqualTo(1);
        assertThat(ledger.holdsReservation("video_gone")).isFalse();
    }

    @Test
    void pollIntervalsGrowByHalfFromTheMinimumToTheMaximum() {
        Job job = JobStoreTest.newJob("video_x", "cloud");
        assertThat(processor.pollInterval(job)).isEqualTo(Duration.ofSeconds(1));
        assertThat(processor.pollInterval(job.withPolls(3))).isEqualTo(Duration.ofMillis(3375));
        assertThat(processor.pollInterval(job.withPolls(50))).isEqualTo(Duration.ofSeconds(15));
    }

    /** A cloud whose records cannot tell: every reconciliation is undecided; counts what the job gives up. */
    static final class UndecidedCloud implements VideoBackend {
        final java.util.concurrent.atomic.AtomicInteger reconciles = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> abandoned = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "cloud";
        }

        @Override
        public dev.wanhybrid.gateway.backend.BackendReadiness readiness() {
            return dev.wanhybrid.gateway.backend.BackendReadiness.ready("undecided");
        }

        @Override
        public String submit(BackendTask task) {
            throw new AssertionError("a job in doubt is never submitted again");
        }

        @Override
        public dev.wanhybrid.gateway.backend.TaskSnapshot poll(String taskId) {
            throw new AssertionError("no task to poll");
        }

        @Override
        public void cancel(String taskId) {}

        @Override
        public java.io.InputStream openResult(dev.wanhybrid.gateway.backend.TaskSnapshot snapshot) {
            throw new AssertionError();
        }

        @Override
        public Optional<String> reconcile(BackendTask task) throws BackendException {
            reconciles.incrementAndGet();
            throw new BackendException(BackendException.Kind.UNDECIDED, "ReconcilePending",
                    "2 unbound tasks near the submission are still running");
        }

        @Override
        public void abandon(BackendTask task) {
            abandoned.add(task.jobId());
        }
    }

    @Test
    void aJobInDoubtWaitsWhileUndecidedAndFailsWithAClearCodeAtItsDeadlineFreeingWhatItHeld() throws Exception {
        UndecidedCloud undecided = new UndecidedCloud();
        Instant submittedAt = Instant.parse("2030-01-01T00:00:00Z");
        Job job = claimed("video_doubt", "cloud");
        ledger.reserve("video_doubt", "acme", "cloud", "m-cloud", java.math.BigDecimal.ONE);
        store.transition(job, JobPhase.SUBMITTING, OWNER, submittedAt, set -> set.submittedAt(submittedAt))
                .orElseThrow();
        Job inDoubt = store.transition(store.find("video_doubt").orElseThrow(), JobPhase.SUBMISSION_UNKNOWN, OWNER,
                submittedAt, set -> {}).orElseThrow();
        assertThat(inDoubt.submittedAt()).isEqualTo(submittedAt);

        JobProcessor before = processorAt(undecided, submittedAt.plus(Duration.ofMinutes(29)));
        for (int i = 0; i < 3; i++) {
            before.advance(store.find("video_doubt").orElseThrow(), OWNER, b -> true);
        }
        Job waiting = store.find("video_doubt").orElseThrow();
        assertThat(waiting.phase()).as("undecided is no failure").isEqualTo(JobPhase.SUBMISSION_UNKNOWN);
        assertThat(undecided.reconciles).hasValue(3);
        assertThat(ledger.holdsReservation("video_doubt")).isTrue();

        processorAt(undecided, submittedAt.plus(Duration.ofMinutes(30))).advance(waiting, OWNER, b -> true);

        Job failed = store.find("video_doubt").orElseThrow();
        assertThat(failed.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.errorCode()).isEqualTo("submission_unresolved");
        assertThat(failed.errorMessage()).contains("billing reconciliation");
        assertThat(undecided.abandoned).as("its permit is freed").containsExactly("video_doubt");
        assertThat(ledger.holdsReservation("video_doubt")).isFalse();
    }

    private JobProcessor processorAt(VideoBackend cloudBackend, Instant now) throws Exception {
        return new JobProcessor(store, registryOf(local, cloudBackend), ledger, new LocalDiskResultStore(results),
                new ResultPreviews(new LocalDiskResultStore(results)), new JobMetrics(new SimpleMeterRegistry()),
                properties, Clock.fixed(now, ZoneOffset.UTC));
    }
}
