package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.backend.local.LocalProperties;
import dev.wanhybrid.gateway.backend.local.TestVideoEngine;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.e2e.support.ScriptedBackend;
import dev.wanhybrid.gateway.preview.ResultPreviews;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The dispatcher's step function over the real local backend (a test engine whose steps the test releases), a
 * scripted cloud, the real ledger and job store on an in-memory H2, and a fake clock: what a test needs to carry a
 * job through its phases one step at a time.
 */
final class LocalDispatchFixture implements AutoCloseable {

    static final String OWNER = "me";

    final JdbcDataSource dataSource = new JdbcDataSource();
    final LedgerFixture ledger;
    final JobStore store;
    final LocalBackend local;
    final JobProcessor processor;
    final SimpleMeterRegistry jobMeters = new SimpleMeterRegistry();

    LocalDispatchFixture(Path dir, MutableClock clock, TestVideoEngine engine, ScriptedBackend cloud)
            throws java.io.IOException {
        dataSource.setURL("jdbc:h2:mem:dispatch-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ledger = new LedgerFixture(dataSource, ZoneId.of("UTC"), new BudgetProperties.Degrade(BigDecimal.ZERO, "none"));
        store = newStore();
        local = new LocalBackend(new LocalProperties(null, List.of("cpu"), dir.resolve("work"), 50, 5.0, "unipc",
                Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, null), List.of(engine),
                LocalProperties.NO_WEIGHTS, Bulkhead.of("local", BulkheadConfig.custom().maxConcurrentCalls(4)
                        .maxWaitDuration(Duration.ZERO).build()), new SimpleMeterRegistry(), clock);
        JobProperties properties = new JobProperties(true, "", List.of(), Duration.ofSeconds(30),
                Duration.ofMillis(250), 20, 32, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(5),
                Duration.ofSeconds(2), org.springframework.util.unit.DataSize.ofMegabytes(10), 3, List.of("local"),
                Duration.ofMinutes(30), Duration.ofMinutes(30));
        LocalDiskResultStore results = new LocalDiskResultStore(dir.resolve("results"));
        processor = new JobProcessor(store, JobProcessorTest.registryOf(local, cloud), ledger.ledger, results,
                new ResultPreviews(results), new JobMetrics(jobMeters), properties, clock);
    }

    /** One step of the job, then the job as stored. */
    Job step(String id) {
        processor.advance(store.find(id).orElseThrow(), OWNER, b -> true);
        return store.find(id).orElseThrow();
    }

    /** A second store on the same database: what a restarted gateway reads. */
    JobStore newStore() {
        return new JobStore(JdbcClient.create(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), job -> "{}");
    }

    @Override
    public void close() {
        local.close();
    }
}
