package dev.wanhybrid.gateway.jobs.bench;

import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.database.FinishedJobs;
import dev.wanhybrid.gateway.database.H2FileHousekeeping;
import dev.wanhybrid.gateway.jobs.JobDependentRecords;
import dev.wanhybrid.gateway.jobs.JobRetention;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded H2 store's footprint per finished job, and what retention gives back. Not a test: it asserts nothing
 * and prints Markdown. Each job takes the path of a real cloud job through the real {@link JobStore} and ledger on an
 * H2 file with the URL settings given (default: the shipped {@code WRITE_DELAY=0}), as {@link FinishedJobs} writes
 * it; with a third argument {@code housekeeping}, the shipped {@link H2FileHousekeeping} runs meanwhile. The file is measured while
 * open and after a clean close; then retention deletes them all (the clock moved past expiry) and the file is
 * measured again after close.
 *
 * <p>Run: {@code ./mvnw -pl gateway test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * '-Dexec.args=-classpath %classpath dev.wanhybrid.gateway.jobs.bench.StoreFootprintBenchmark 3000 ;WRITE_DELAY=0 housekeeping'}.
 */
public final class StoreFootprintBenchmark {

    private StoreFootprintBenchmark() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String settings = args.length > 1 ? args[1] : ";WRITE_DELAY=0";
        boolean withHousekeeping = args.length > 2 && args[2].equals("housekeeping");
        Path dir = Files.createTempDirectory("footprint");
        String url = "jdbc:h2:file:" + dir.resolve("gateway") + settings + ";DB_CLOSE_ON_EXIT=FALSE";
        Instant t0 = FinishedJobs.T0;
        long start = System.nanoTime();
        long open;
        long closed;
        try (Store s = new Store(url)) {
            H2FileHousekeeping housekeeping = withHousekeeping
                    ? new H2FileHousekeeping(s.dataSource, Duration.ofMillis(100), Duration.ofSeconds(1)) : null;
            FinishedJobs.write(s.store, s.tx, s.ledger.ledger, 0, jobs);
            if (housekeeping != null) {
                Thread.sleep(2_000);
                housekeeping.destroy();
            }
            open = size(dir);
        }
        closed = size(dir);
        double seconds = (System.nanoTime() - start) / 1e9;
        int deleted;
        try (Store s = new Store(url)) {
            ResultStore none = new FinishedJobs.NoResults();
            JobRetention retention = new JobRetention(s.store, new StaticListableBeanFactory(Map.of("r", none))
                    .getBeanProvider(ResultStore.class),
                    new StaticListableBeanFactory().getBeanProvider(JobDependentRecords.class), Clock.fixed(t0.plus(Duration.ofDays(60)), ZoneOffset.UTC),
                    Duration.ofDays(7), Duration.ZERO);
            deleted = retention.sweep();
        }
        long after = size(dir);
        System.out.printf(Locale.ROOT, """
                | H2 URL settings | finished jobs | commits | write time s | file while open | after close | per job after close | after retention (%d deleted) and close |
                |---|---:|---:|---:|---:|---:|---:|---:|
                | `%s` | %d | %d | %.1f | %.1f MB | %.1f MB | %.1f KB | %.1f MB |
                """, deleted, settings + (withHousekeeping ? "` + `housekeeping" : ""), jobs, jobs * 5, seconds,
                open / 1e6, closed / 1e6, closed / 1e3 / jobs,
                after / 1e6);
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The store over one H2 connection, closed like the gateway closes it. */
    static final class Store implements AutoCloseable {
        final SingleConnectionDataSource dataSource;
        final LedgerFixture ledger;
        final TransactionTemplate tx;
        final JobStore store;

        Store(String url) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            h2.setUser("sa");
            try {
                dataSource = new SingleConnectionDataSource(h2.getConnection(), true);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            ledger = new LedgerFixture(dataSource, ZoneOffset.UTC, new BudgetProperties.Degrade(BigDecimal.ZERO,
                    "none"));
            tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            store = new JobStore(JdbcClient.create(dataSource), tx,
                    job -> "{\"id\":\"" + job.id() + "\",\"object\":\"video\",\"status\":\"" + job.status().wire()
                            + "\",\"model\":\"" + job.model() + "\",\"progress\":" + job.progress() + "}");
        }

        @Override
        public void close() throws Exception {
            dataSource.getConnection().createStatement().execute("SHUTDOWN");
            dataSource.destroy();
        }
    }
}
