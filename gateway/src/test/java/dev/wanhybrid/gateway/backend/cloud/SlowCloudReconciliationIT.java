package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wanhybrid.cloud.ApiKey;
import dev.wanhybrid.cloud.DashScopeClient;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskClaims;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The slow-cloud failure mode at the cloud backend: DashScope answers past the client's request timeout, so
 * every create answer is lost while the provider still creates (and bills) the task. Reconciliation must bind every
 * task to exactly one job (also when several jobs sent the very same request, and after a restart that forgot what
 * was sent), say "undecided" rather than fail while it cannot tell, and leave no concurrency permit behind.
 */
class SlowCloudReconciliationIT {

    private static final String KEY = "sk-slow-cloud";
    private static final String MODEL = "wan2.6-t2v";
    private static final int JOBS = 24;

    private MutableClock clock;
    private DashScopeSimulator simulator;
    private DashScopeClient observer;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2026-11-22T04:00:00Z"));
        simulator = DashScopeSimulator.builder().apiKey(KEY).clock(clock)
                .pendingFor(Duration.ofSeconds(5)).runningFor(Duration.ofSeconds(60))
                // An account whose quota fits the test; rate limits are the backend's concern, tested elsewhere.
                .enforceConcurrency(false).enforceCreateRates(false).queriesPerSecond(0).build().start();
        observer = client(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    private DashScopeClient client(Duration requestTimeout) {
        return DashScopeClient.builder().apiKey(ApiKey.of(KEY)).baseUrl(simulator.baseUrl())
                .catalog(ModelCatalog.load()).requestTimeout(requestTimeout).build();
    }

    /** A backend whose client gives up after 300 ms; the account allows as many tasks as the test sends. */
    private CloudBackend backend() {
        CloudProperties properties = new CloudProperties(KEY, "international", null, null, 1000,
                Map.of(MODEL, JOBS), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(300), Duration.ofMinutes(2),
                new CloudProperties.Simulator(false, 0, "x", Duration.ZERO, Duration.ZERO, 0, null));
        return new CloudBackend(client(Duration.ofMillis(300)), null, "simulator", properties, clock);
    }

    /**
     * Half the jobs share one prompt (identical purchases), the rest are distinct; durations vary, so a same-prompt
     * task of another length must not match.
     */
    private static List<BackendTask> jobs(Instant submittedAt) {
        List<BackendTask> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            String prompt = i % 2 == 0 ? "a paper boat on a river" : "a lighthouse at dusk, shot " + i;
            int seconds = i % 4 == 0 ? 10 : 5;
            jobs.add(new BackendTask("job-" + i, MODEL, new GenerationSpec("tenant-a", "auto", TaskKind.T2V, prompt,
                    null, null, seconds, null, null, AudioSpec.GENERATED, null, null), null, submittedAt));
        }
        return jobs;
    }

    /** Every job submits while the cloud answers after 900 ms: every answer is lost, every task is created. */
    private List<BackendTask> submitIntoASlowCloud(CloudBackend backend) throws Exception {
        simulator.faults().latency(Duration.ofMillis(900));
        List<BackendTask> jobs = jobs(clock.instant());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<BackendException>> outcomes = new ArrayList<>();
            for (BackendTask job : jobs) {
                outcomes.add(pool.submit(() -> catchThrowableOfType(BackendException.class, () -> backend.submit(job))));
            }
            for (Future<BackendException> outcome : outcomes) {
                assertThat(outcome.get().kind()).isEqualTo(BackendException.Kind.ACCEPTANCE_UNKNOWN);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (simulator.stats().submissions() < JOBS && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        simulator.faults().latency(Duration.ZERO);
        assertThat(simulator.stats().submissions()).as("the slow cloud created every task").isEqualTo(JOBS);
        return jobs;
    }

    /** The job store's view of bound tasks, as the dispatcher passes it: a task bound once is claimed for all. */
    private static final class Store implements TaskClaims {
        final Map<String, String> jobOfTask = new ConcurrentHashMap<>();

        @Override
        public Set<String> claimedAmong(java.util.Collection<String> taskIds) {
            Set<String> claimed = new HashSet<>(taskIds);
            claimed.retainAll(jobOfTask.keySet());
            return claimed;
        }

        void bind(BackendTask job, String taskId) {
            String previous = jobOfTask.putIfAbsent(taskId, job.jobId());
            assertThat(previous).as("task %s bound to %s and %s", taskId, previous, job.jobId()).isNull();
        }
    }

    @Test
    void everyTaskCreatedInASlowCloudIsBoundToExactlyOneJobWithItsOwnPromptAndLength() throws Exception {
        CloudBackend backend = backend();
        List<BackendTask> jobs = submitIntoASlowCloud(backend);
        Store store = new Store();
        assertThat(backend.limits().inFlight(MODEL)).as("jobs in doubt hold their permits").isEqualTo(JOBS);

        for (BackendTask job : jobs) {
            BackendException e = catchThrowableOfType(BackendException.class, () -> backend.reconcile(job, store));
            assertThat(e.kind()).as("tasks still pending: undecided, not a failure")
                    .isEqualTo(BackendException.Kind.UNDECIDED);
        }
        assertThat(backend.limits().inFlight(MODEL)).as("still held while in doubt, never twice").isEqualTo(JOBS);

        clock.advance(Duration.ofMinutes(2));
        bindAll(backend, jobs, store, new Random(12));

        assertThat(backend.limits().inFlight(MODEL)).as("no permit left behind").isZero();
        assertThat(simulator.stats().submissions()).as("nothing submitted twice").isEqualTo(JOBS);
    }

    @Test
    void afterARestartThePersistedSubmissionTimeAndTheStoresClaimsStillDecideEveryJob() throws Exception {
        List<BackendTask> jobs = submitIntoASlowCloud(backend());
        CloudBackend restarted = backend();
        Store store = new Store();

        BackendException e = catchThrowableOfType(BackendException.class,
                () -> restarted.reconcile(jobs.getFirst(), store));
        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNDECIDED);
        assertThat(restarted.limits().inFlight(MODEL)).as("a job in doubt counts against the limit after a restart")
                .isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        bindAll(restarted, jobs, store, new Random(7));

        assertThat(restarted.limits().inFlight(MODEL)).isZero();
        assertThat(simulator.stats().submissions()).isEqualTo(JOBS);
    }

    @Test
    void aSubmissionThatNeverArrivedIsReportedAbsentOnlyAfterReconcileAfter() throws Exception {
        CloudBackend restarted = backend();
        BackendTask lost = jobs(clock.instant()).get(1);

        BackendException young = catchThrowableOfType(BackendException.class,
                () -> restarted.reconcile(lost, TaskClaims.NONE));
        assertThat(young.kind()).isEqualTo(BackendException.Kind.UNDECIDED);

        clock.advance(Duration.ofMinutes(3));
        assertThat(restarted.reconcile(lost, TaskClaims.NONE)).as("nothing created: safe to submit again").isEmpty();
        assertThat(restarted.limits().inFlight(MODEL)).isZero();
    }

    /** Reconciles the jobs in a random order, binding each found task as the job store would. */
    private void bindAll(CloudBackend backend, List<BackendTask> jobs, Store store, Random random) throws Exception {
        List<BackendTask> order = new ArrayList<>(jobs);
        Collections.shuffle(order, random);
        Map<String, String> taskOfJob = new HashMap<>();
        for (BackendTask job : order) {
            Optional<String> found = backend.reconcile(job, store);
            assertThat(found).as("job %s", job.jobId()).isPresent();
            store.bind(job, found.get());
            taskOfJob.put(job.jobId(), found.get());
        }
        assertThat(new HashSet<>(taskOfJob.values())).as("distinct tasks").hasSize(JOBS);
        for (BackendTask job : jobs) {
            var details = observer.query(taskOfJob.get(job.jobId()));
            assertThat(details.origPrompt()).isEqualTo(job.spec().prompt());
            assertThat(details.usage().billedSeconds().intValue()).isEqualTo(job.spec().seconds());
        }
    }
}
