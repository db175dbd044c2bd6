package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.budget.BudgetCap;
import dev.wanhybrid.cost.budget.BudgetPeriod;
import dev.wanhybrid.cost.budget.BudgetScope;
import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.CapCache;
import dev.wanhybrid.gateway.budget.JdbcBudgetCaps;
import dev.wanhybrid.gateway.budget.JdbcSpendLedger;
import dev.wanhybrid.gateway.budget.SettlementPricer;
import dev.wanhybrid.gateway.database.SqlWrites;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A submission's reservation, job and first event are one commit: all of them or none, a candidate the budget
 * refuses on the way leaves the transaction usable, and beyond the in-flight limit a submission is refused at once.
 * Run against each database by a subclass that supplies a fresh one.
 */
abstract class SubmitTransactionContract {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    /** A fresh, empty database per call. */
    abstract DataSource database();

    /** What {@code gateway.submit.max-group=auto} means on this database. */
    abstract int autoMaxGroup();

    final class Fixture {
        final JdbcClient jdbc;
        final JobStore store;
        final JdbcSpendLedger ledger;
        final JdbcBudgetCaps caps;
        final DataSourceTransactionManager transactions;

        Fixture(JobStore storeOverride) {
            DataSource dataSource = database();
            // The SQL migrations and the Java one that shapes the job table's indexes on PostgreSQL, as the gateway runs them.
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                    .javaMigrations(new PartialJobIndexes()).load().migrate();
            jdbc = JdbcClient.create(dataSource);
            transactions = new DataSourceTransactionManager(dataSource);
            TransactionTemplate tx = new TransactionTemplate(transactions);
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            BudgetProperties properties = new BudgetProperties(ZoneId.of("UTC"),
                    new BudgetProperties.Degrade(BigDecimal.ZERO, "none"), Map.of(), List.of(), List.of());
            CapCache capCache = new CapCache(jdbc, clock, Duration.ofSeconds(5));
            SettlementPricer unused = (backend, task, snapshot) -> {
                throw new AssertionError("nothing is settled here");
            };
            ledger = new JdbcSpendLedger(jdbc, tx, clock, properties, unused, capCache);
            caps = new JdbcBudgetCaps(jdbc, tx, clock, properties, capCache);
            store = storeOverride != null ? storeOverride : store(jdbc, tx);
        }

        /** The database of {@code base}, with another store in front of it. */
        Fixture(JobStore storeOverride, Fixture base) {
            jdbc = base.jdbc;
            transactions = base.transactions;
            ledger = base.ledger;
            caps = base.caps;
            store = storeOverride;
        }

        /** One replica's budget queue on this database (no rounds of its own: the test runs them). */
        BudgetQueue budgetQueue(RoutePlanner planner, Clock clock) {
            return new BudgetQueue(store, planner, ledger,
                    new StaticListableBeanFactory(Map.of("caps", caps)).getBeanProvider(BudgetCaps.class),
                    new JobMetrics(new SimpleMeterRegistry()), clock,
                    new BudgetQueueProperties(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ZERO, 50),
                    new FallbackProperties(new BigDecimal("10")), transactions);
        }

        GenerationService service(RoutePlanner planner, int maxInFlight) {
            return new GenerationService(store, planner, ledger, new JobMetrics(new SimpleMeterRegistry()),
                    Clock.fixed(NOW, ZoneOffset.UTC), new FallbackProperties(new BigDecimal("10")), transactions,
                    maxInFlight, Duration.ofSeconds(2));
        }

        /** A service whose submissions are written in groups of at most {@code maxGroup} by one writer at a time. */
        GenerationService grouped(RoutePlanner planner, int maxGroup) {
            return grouped(planner, maxGroup, new SimpleMeterRegistry());
        }

        GenerationService grouped(RoutePlanner planner, int maxGroup, SimpleMeterRegistry meters) {
            return new GenerationService(store, planner, ledger, new JobMetrics(meters),
                    Clock.fixed(NOW, ZoneOffset.UTC), new FallbackProperties(new BigDecimal("10")), transactions,
                    null, 64, Duration.ofSeconds(2), maxGroup, 1);
        }

        long count(String table, String jobColumn, String jobId) {
            return jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE " + jobColumn + " = ?").params(jobId)
                    .query(Long.class).single();
        }
    }

    static JobStore store(JdbcClient jdbc, TransactionTemplate tx) {
        return new JobStore(jdbc, tx, job -> "{\"id\":\"" + job.id() + "\"}");
    }

    static GenerationSpec spec() {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, "a prompt", null, null, 5, null, null, null, null,
                null);
    }

    static RouteCandidate candidate(String backend, String model, String usd) {
        return new RouteCandidate(backend, model, new BigDecimal(usd), Duration.ofSeconds(60));
    }

    static RoutePlanner fixed(RouteCandidate... candidates) {
        return spec -> new Route(List.of(candidates), List.of(), "cheapest");
    }

    @Test
    void aSubmissionCommitsItsReservationItsJobAndItsFirstEventTogether() throws Exception {
        Fixture f = new Fixture(null);
        Job job = f.service(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 8).create("video_a", spec());

        assertThat(job.backend()).isEqualTo("cloud");
        assertThat(f.count("jobs", "id", "video_a")).isEqualTo(1);
        assertThat(f.count("job_events", "job_id", "video_a")).isEqualTo(1);
        assertThat(f.count("spend_entries", "job_id", "video_a")).isEqualTo(1);
        // No cap applies: no shared counter row is written.
        assertThat(f.jdbc.sql("SELECT COUNT(*) FROM budget_counters").query(Long.class).single()).isZero();
    }

    @Test
    void whenTheJobCannotBeWrittenItsReservationIsNotKeptEither() {
        Fixture f = new Fixture(null);
        JobStore failing = new JobStore(f.jdbc, new TransactionTemplate(f.transactions), job -> "{}") {
            @Override
            public void createAll(List<Job> jobs, SqlWrites writes) {
                super.createAll(jobs, writes);
                throw new IllegalStateException("the store failed after writing the rows");
            }
        };
        GenerationService service = new GenerationService(failing, fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")),
                f.ledger, new JobMetrics(new SimpleMeterRegistry()), Clock.fixed(NOW, ZoneOffset.UTC),
                new FallbackProperties(new BigDecimal("10")), f.transactions, 8, Duration.ofSeconds(2));

        assertThatThrownBy(() -> service.create("video_b", spec())).hasMessageContaining("store failed");

        assertThat(f.count("jobs", "id", "video_b")).isZero();
        assertThat(f.count("job_events", "job_id", "video_b")).isZero();
        assertThat(f.count("spend_entries", "job_id", "video_b")).isZero();
    }

    @Test
    void aCandidateTheBudgetRefusesLeavesTheSubmissionsTransactionUsable() throws Exception {
        Fixture f = new Fixture(null);
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "acme", BudgetPeriod.DAY, Money.usd("0.15")));
        GenerationService service = f.service(fixed(candidate("cloud", "wan2.6-t2v", "0.50"),
                candidate("local", "wan2.1-t2v-1.3b", "0.05")), 8);

        Job job = service.create("video_c", spec());

        assertThat(job.backend()).isEqualTo("local");
        assertThat(job.route().rejected()).anySatisfy(r -> {
            assertThat(r.model()).isEqualTo("wan2.6-t2v");
            assertThat(r.reason()).isEqualTo("budget");
        });
        assertThat(f.count("jobs", "id", "video_c")).isEqualTo(1);
        assertThat(f.jdbc.sql("SELECT reserved_usd FROM spend_entries WHERE job_id = 'video_c'")
                .query(BigDecimal.class).single()).isEqualByComparingTo("0.05");
        assertThat(f.caps.statusFor("acme")).singleElement()
                .satisfies(s -> assertThat(s.committedUsd()).isEqualByComparingTo("0.05"));

        // Every candidate refused: nothing at all is written.
        GenerationService cloudOnly = f.service(fixed(candidate("cloud", "wan2.6-t2v", "0.50"),
                candidate("cloud", "wan2.2-t2v-plus", "0.20")), 8);
        assertThatThrownBy(() -> cloudOnly.create("video_d", spec())).isInstanceOf(BudgetRejectedException.class);
        assertThat(f.count("jobs", "id", "video_d")).isZero();
        assertThat(f.count("spend_entries", "job_id", "video_d")).isZero();
    }

    @Test
    void waitingJobsLeaveTheirWaitOnlyAsFarAsTheBudgetAdmitsHoweverManyReplicasRouteThemAtOnce() throws Exception {
        Fixture f = new Fixture(null);
        // Room for one more $0.10 clip, not two.
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "acme", BudgetPeriod.DAY, Money.usd("0.15")));
        MutableClock clock = new MutableClock(NOW);
        RouteCandidate cloud = candidate("cloud", "wan2.2-t2v-plus", "0.10");
        Route waits = new Route(List.of(cloud), List.of(), "budget_queued");
        BudgetQueue accepting = f.budgetQueue(spec -> waits, clock);
        accepting.enqueue("video_w1", spec(), waits);
        accepting.enqueue("video_w2", spec(), waits);
        assertThat(f.count("spend_entries", "job_id", "video_w1") + f.count("spend_entries", "job_id", "video_w2"))
                .isZero();

        // Two replicas find both due at the same moment, and both route them to the cloud.
        clock.advance(Duration.ofMinutes(2));
        List<BudgetQueue> replicas = List.of(f.budgetQueue(fixed(cloud), clock), f.budgetQueue(fixed(cloud), clock));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> rounds = replicas.stream().map(q -> pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return q.recheckDue();
            })).toList();
            start.countDown();
            for (Future<Integer> round : rounds) {
                round.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> phases = f.jdbc.sql("SELECT phase FROM jobs WHERE id IN ('video_w1', 'video_w2') ORDER BY phase")
                .query(String.class).list();
        assertThat(phases).containsExactly("budget_queued", "queued");
        assertThat(f.jdbc.sql("SELECT COUNT(*) FROM spend_entries WHERE state = 'reserved'").query(Long.class)
                .single()).isEqualTo(1);
        assertThat(f.caps.statusFor("acme")).singleElement()
                .satisfies(s -> assertThat(s.committedUsd()).isEqualByComparingTo("0.10"));

        // The cap is raised by one clip: at the next recheck (1 min here) the other one leaves its wait.
        accepting.enqueue("video_w3", spec(), waits);
        f.caps.putCap(new BudgetCap(BudgetScope.TENANT, "acme", BudgetPeriod.DAY, Money.usd("0.25")));
        clock.advance(Duration.ofMinutes(1));
        assertThat(replicas.getFirst().recheckDue()).isEqualTo(1);
        assertThat(f.jdbc.sql("SELECT COUNT(*) FROM jobs WHERE phase = 'queued'").query(Long.class).single())
                .isEqualTo(2);
        assertThat(f.caps.statusFor("acme")).singleElement()
                .satisfies(s -> assertThat(s.committedUsd()).isEqualByComparingTo("0.20"));

        // The one left waits until it gives up (max-wait 1 h here), then fails with nothing billed.
        clock.advance(Duration.ofHours(1));
        replicas.getFirst().recheckDue();
        Job failed = f.store.find(f.jdbc.sql("SELECT id FROM jobs WHERE phase = 'failed'")
                .query(String.class).single()).orElseThrow();
        assertThat(failed.errorCode()).isEqualTo(BudgetQueue.TIMEOUT);
        assertThat(failed.errorMessage()).contains("tenant:acme/day").contains("gateway.budget.queue.max-wait");
        assertThat(f.count("spend_entries", "job_id", failed.id())).isZero();
    }

    @Test
    void beyondTheInFlightLimitASubmissionIsRefusedAtOnceAndTheOthersComplete() throws Exception {
        Fixture f = new Fixture(null);
        CountDownLatch planning = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        RoutePlanner slow = spec -> {
            planning.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Route(List.of(candidate("local", "wan2.1-t2v-1.3b", "0.01")), List.of(), "cheapest");
        };
        GenerationService service = f.service(slow, 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Job> first = pool.submit(() -> service.create("video_1", spec()));
            Future<Job> second = pool.submit(() -> service.create("video_2", spec()));
            assertThat(planning.await(30, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> service.create("video_3", spec()))
                    .isInstanceOfSatisfying(SubmitOverloadedException.class,
                            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2)));
            CreateRefusals.Refusal refusal = new CreateRefusals(null).of(
                    new SubmitOverloadedException(Duration.ofSeconds(2)));
            assertThat(refusal.status().value()).isEqualTo(503);
            assertThat(refusal.retryAfterSeconds()).isEqualTo(2);

            release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).id()).isEqualTo("video_1");
            assertThat(second.get(30, TimeUnit.SECONDS).id()).isEqualTo("video_2");
            // The permits came back: the next submission is accepted.
            assertThat(service.create("video_4", spec()).id()).isEqualTo("video_4");
            assertThat(f.count("jobs", "id", "video_3")).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void submissionsWaitingAtOneMomentShareOneCommitAndEachKeepsItsReservationJobAndFirstEvent() throws Exception {
        Fixture f = new Fixture(null);
        HeldFirstGroup held = new HeldFirstGroup(f, job -> "{\"id\":\"" + job.id() + "\"}");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GenerationService service = held.fixture.grouped(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10"),
                candidate("local", "wan2.1-t2v-1.3b", "0.02")), 64, meters);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Job> first = pool.submit(() -> service.create("video_g00", spec()));
            held.awaitFirstWriting();
            // While the only writer is in the first group's transaction, twenty more submissions wait.
            List<Future<Job>> rest = new java.util.ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                String id = String.format("video_g%02d", i);
                rest.add(pool.submit(() -> service.create(id, spec())));
            }
            held.awaitQueued(service, 20);
            // Not committed yet: none of them is visible to another connection.
            assertThat(f.jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single()).isZero();
            held.release.countDown();

            Job firstJob = first.get(30, TimeUnit.SECONDS);
            assertThat(firstJob.route().candidates()).hasSize(2);
            for (Future<Job> next : rest) {
                next.get(30, TimeUnit.SECONDS);
            }
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
        // Two commits: the first submission's, then the twenty that waited for it.
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().count()).isEqualTo(2);
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().totalAmount()).isEqualTo(21);
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().max()).isEqualTo(20);
        for (int i = 0; i <= 20; i++) {
            String id = String.format("video_g%02d", i);
            Job stored = f.store.find(id).orElseThrow();
            assertThat(stored.backend()).isEqualTo("cloud");
            assertThat(stored.model()).isEqualTo("wan2.2-t2v-plus");
            assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(stored.createdAt()).isEqualTo(NOW);
            assertThat(stored.route().candidates()).extracting(JobRoute.Candidate::model)
                    .containsExactly("wan2.2-t2v-plus", "wan2.1-t2v-1.3b");
            assertThat(stored.spec().prompt()).isEqualTo("a prompt");
            assertThat(f.jdbc.sql("SELECT type, payload FROM job_events WHERE job_id = ?").params(id)
                    .query((rs, n) -> rs.getString(1) + " " + rs.getString(2)).single())
                    .isEqualTo("video.queued {\"id\":\"" + id + "\"}");
            assertThat(f.jdbc.sql("SELECT state, estimate_usd, reserved_usd, tenant, backend FROM spend_entries "
                    + "WHERE job_id = ?").params(id).query((rs, n) -> rs.getString(1) + " "
                    + rs.getBigDecimal(2).stripTrailingZeros().toPlainString() + " "
                    + rs.getBigDecimal(3).stripTrailingZeros().toPlainString() + " " + rs.getString(4) + " "
                    + rs.getString(5)).single()).isEqualTo("reserved 0.1 0.1 acme cloud");
        }
        assertThat(f.jdbc.sql("SELECT COUNT(*) FROM budget_counters").query(Long.class).single()).isZero();
    }

    @Test
    void aSubmissionThatFailsInItsGroupFailsAloneAndNothingOfItIsKept() throws Exception {
        Fixture f = new Fixture(null);
        HeldFirstGroup held = new HeldFirstGroup(f, job -> "{}");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GenerationService service = held.cloudInGroups(meters);
        // A ledger entry under one of the ids already: that submission's reservation cannot be inserted.
        f.jdbc.sql("INSERT INTO spend_entries (job_id, tenant, backend, model, state, estimate_usd, reserved_usd, "
                + "day_key, month_key, reserved_at, updated_at) VALUES ('video_f03', 'acme', 'cloud', 'm', "
                + "'settled', 1, 0, '2026-11-22', '2026-11', ?, ?)").params(java.sql.Timestamp.from(NOW),
                java.sql.Timestamp.from(NOW)).update();
        held.submitWithADuplicate(service, "video_f", 5, 3);
        for (int i = 0; i <= 5; i++) {
            String id = String.format("video_f%02d", i);
            long expected = i == 3 ? 0 : 1;
            assertThat(f.count("jobs", "id", id)).as(id).isEqualTo(expected);
            assertThat(f.count("job_events", "job_id", id)).as(id).isEqualTo(expected);
        }
        assertThat(f.count("spend_entries", "job_id", "video_f03")).isEqualTo(1);
        assertThat(f.jdbc.sql("SELECT state FROM spend_entries WHERE job_id = 'video_f03'").query(String.class)
                .single()).isEqualTo("settled");
        // The first group, and then the four good ones of the failed group, each alone.
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().count()).isEqualTo(5);
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().totalAmount()).isEqualTo(5);
    }

    @Test
    void aGroupWhoseJobsCannotBeInsertedKeepsNoneOfItsReservations() throws Exception {
        Fixture f = new Fixture(null);
        HeldFirstGroup held = new HeldFirstGroup(f, job -> "{}");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GenerationService service = held.cloudInGroups(meters);
        // A job under one of the ids already, without a ledger entry: that submission's reservation is inserted,
        // then its job is refused, so the group's reservations were written before the failing statement.
        f.service(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 8).create("video_j03", spec());
        f.jdbc.sql("DELETE FROM spend_entries WHERE job_id = 'video_j03'").update();
        held.submitWithADuplicate(service, "video_j", 4, 3);
        // The refused one keeps nothing of its own: no reservation, still the one job and event it had.
        assertThat(f.count("spend_entries", "job_id", "video_j03")).isZero();
        assertThat(f.count("jobs", "id", "video_j03")).isEqualTo(1);
        assertThat(f.count("job_events", "job_id", "video_j03")).isEqualTo(1);
        for (int i : new int[] {0, 1, 2, 4}) {
            String id = String.format("video_j%02d", i);
            assertThat(f.count("spend_entries", "job_id", id)).as(id).isEqualTo(1);
            assertThat(f.count("jobs", "id", id)).as(id).isEqualTo(1);
            assertThat(f.count("job_events", "job_id", id)).as(id).isEqualTo(1);
        }
        // The first group, then the three good ones of the failed group, each alone.
        assertThat(meters.get(JobMetrics.SUBMIT_GROUP).summary().count()).isEqualTo(4);
    }

    @Test
    void aGroupsSubmissionsReturnAndTheirEventsRingOnlyOnceTheirCommitIsVisible() throws Exception {
        Fixture f = new Fixture(null);
        // A listener that looks, from another connection, for the job whose event rang.
        java.util.Map<String, Long> seenAtRing = new java.util.concurrent.ConcurrentHashMap<>();
        JobEventSignal signal = new JobEventSignal();
        signal.listen(job -> seenAtRing.put(job.id(), f.count("jobs", "id", job.id())));
        JobStore store = new JobStore(f.jdbc, new TransactionTemplate(f.transactions), job -> "{}", signal);
        GenerationService service = new Fixture(store, f).grouped(
                fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 64);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Long>> visibleOnReturn = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = String.format("video_v%02d", i);
                visibleOnReturn.add(pool.submit(() -> {
                    service.create(id, spec());
                    return f.count("jobs", "id", id) + f.count("spend_entries", "job_id", id)
                            + f.count("job_events", "job_id", id);
                }));
            }
            for (Future<Long> visible : visibleOnReturn) {
                assertThat(visible.get(30, TimeUnit.SECONDS)).isEqualTo(3);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seenAtRing).hasSize(16).allSatisfy((id, seen) -> assertThat(seen).as(id).isEqualTo(1));
    }

    @Test
    void writtenAloneWhenGroupsAreSwitchedOff() throws Exception {
        Fixture f = new Fixture(null);
        GenerationService service = f.grouped(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 1);

        service.create("video_solo", spec());

        assertThat(service.submitGroups()).isNull();
        assertThat(f.count("jobs", "id", "video_solo")).isEqualTo(1);
        assertThat(f.count("job_events", "job_id", "video_solo")).isEqualTo(1);
        assertThat(f.count("spend_entries", "job_id", "video_solo")).isEqualTo(1);
    }

    @Test
    void maxGroupIsANumberOrAutoWhichFollowsTheStore() throws Exception {
        DataSource dataSource = database();
        assertThat(SubmitGroups.maxGroup("auto", dataSource)).isEqualTo(autoMaxGroup());
        assertThat(SubmitGroups.maxGroup(" 16 ", dataSource)).isEqualTo(16);
        assertThatThrownBy(() -> SubmitGroups.maxGroup("lots", dataSource))
                .hasMessageContaining("gateway.submit.max-group").hasMessageContaining("lots");
        Fixture f = new Fixture(null);
        assertThatThrownBy(() -> f.grouped(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 0))
                .hasMessageContaining("gateway.submit.max-group must be at least 1");
    }

    /**
     * A store whose first group, once its rows are written, waits inside its transaction until the test releases it;
     * meanwhile the submissions that come in queue for the only writer.
     */
    final class HeldFirstGroup {
        final CountDownLatch firstWriting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Fixture fixture;

        HeldFirstGroup(Fixture base, JobRenderer renderer) {
            JobStore holding = new JobStore(base.jdbc, new TransactionTemplate(base.transactions), renderer) {
                @Override
                public void createAll(List<Job> jobs, SqlWrites writes) {
                    super.createAll(jobs, writes);
                    if (firstWriting.getCount() > 0) {
                        firstWriting.countDown();
                        try {
                            if (!release.await(30, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("the test never released the first group");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                }
            };
            fixture = new Fixture(holding, base);
        }

        /** A service on this store writing groups of up to 64, every submission routed to one cloud model. */
        GenerationService cloudInGroups(SimpleMeterRegistry meters) {
            return fixture.grouped(fixed(candidate("cloud", "wan2.2-t2v-plus", "0.10")), 64, meters);
        }

        /**
         * Submits {@code prefix}00, holds its group, submits {@code prefix}01 to {@code prefix}NN meanwhile (one group
         * after it), releases it, and expects every submission to succeed but {@code duplicate}, refused as a
         * duplicate key.
         */
        void submitWithADuplicate(GenerationService service, String prefix, int more, int duplicate)
                throws Exception {
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Job>> rest = new java.util.ArrayList<>();
            try {
                Future<Job> first = pool.submit(() -> service.create(prefix + "00", spec()));
                awaitFirstWriting();
                for (int i = 1; i <= more; i++) {
                    String id = String.format("%s%02d", prefix, i);
                    rest.add(pool.submit(() -> service.create(id, spec())));
                }
                awaitQueued(service, more);
                release.countDown();
                first.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < rest.size(); i++) {
                    Future<Job> next = rest.get(i);
                    if (i + 1 == duplicate) {
                        assertThatThrownBy(() -> next.get(30, TimeUnit.SECONDS))
                                .hasCauseInstanceOf(org.springframework.dao.DuplicateKeyException.class);
                    } else {
                        next.get(30, TimeUnit.SECONDS);
                    }
                }
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
        }

        void awaitFirstWriting() throws InterruptedException {
            assertThat(firstWriting.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void awaitQueued(GenerationService service, int submissions) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (service.submitGroups().waiting() < submissions && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(service.submitGroups().waiting()).isEqualTo(submissions);
        }
    }
}
