package dev.wanhybrid.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.jobs.JobDependentRecords;
import dev.wanhybrid.gateway.jobs.JobRetention;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded store's footprint (issue 19 asks for 100,000 finished jobs in under 200 MB, that is 2 KB a job, and
 * that retention brings it back down; see {@link #BOUND_PER_JOB} for what is asserted), on an H2 file with the
 * shipped URL settings, the shipped group commit ({@link GroupCommitDataSource} at its default interval) and the
 * shipped housekeeping. Each job takes a cloud job's path through the real repositories: created with its first
 * event and its budget reservation in one commit (as {@code GenerationService} does), submitting, running, fetching
 * the result, then completed with its settlement, each a commit with its event. The jobs are written at
 * {@link #JOBS_PER_SECOND} by {@link #WRITERS} threads, in two batches: the second batch's growth of the bytes H2
 * has allocated, measured once the store has been idle and compaction is done, is what each further job costs.
 */
class H2FileFootprintTest {

    static final int JOBS = 600;
    /**
     * The write rate: 30 finished jobs a second (150 commits) is far above what a gateway in front of video
     * generation sees, and fixed so that the figure does not depend on how fast the machine is: the footprint
     * grows with the commit rate, because H2's compaction falls behind.
     */
    static final int JOBS_PER_SECOND = 30;
    /**
     * Jobs written at the same time, each by its own thread and pool connection, as the gateway's request and
     * dispatcher threads write different jobs at once; group commit lets their commits share writes.
     */
    static final int WRITERS = 8;
    /**
     * What a further finished job may add to the store: the budget, 2 KB (100,000 jobs in 200 MB). Measured
     * as the bytes H2 counts as allocated ({@link H2Space}) once the store is idle and compaction is done, not as the
     * file's size: the open file grows in steps (a chunk that fits no free space is appended) that 300 jobs are too
     * few to average out, and it never shrinks while open. Every job has a prompt and a checksum of its own
     * ({@link FinishedJobs}); with the shipped settings (compressed pages) a further job took 628 bytes here, without
     * compression 3,290 bytes, which fails (docs/benchmarks/store-footprint.md). The 100,000-job run is the benchmark's, not this test's.
     */
    static final long BOUND_PER_JOB = 2 * 1024;

    @TempDir
    Path dir;

    /** The URL settings the gateway ships with (application.yaml), after the file path. */
    static String shippedSettings() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yaml"));
        Properties properties = yaml.getObject();
        String url = properties.getProperty("spring.datasource.url");
        assertThat(url).startsWith("jdbc:h2:file:").contains(";WRITE_DELAY=0");
        return url.substring(url.indexOf(';'));
    }

    @Test
    void finishedJobsStayWithinTheBoundAndRetentionFreesTheirSpace() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("gateway") + shippedSettings());
        config.setUsername("sa");
        config.setMaximumPoolSize(WRITERS);
        HikariDataSource pool = new HikariDataSource(config);
        DataSource dataSource = GroupCommitDataSource.over(pool, H2GroupCommitConfiguration.DEFAULT_INTERVAL);
        assertThat(dataSource).isInstanceOf(GroupCommitDataSource.class);
        LedgerFixture ledger = new LedgerFixture(dataSource, ZoneOffset.UTC,
                new BudgetProperties.Degrade(BigDecimal.ZERO, "none"));
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        JobStore store = new JobStore(JdbcClient.create(dataSource), tx,
                job -> "{\"id\":\"" + job.id() + "\",\"object\":\"video\",\"status\":\"" + job.status().wire()
                        + "\",\"model\":\"" + job.model() + "\",\"progress\":" + job.progress() + "}");
        H2FileHousekeeping housekeeping = new H2FileHousekeeping(dataSource, H2FileHousekeeping.DEFAULT_INTERVAL,
                H2FileHousekeeping.DEFAULT_CHUNK_RETENTION, H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND,
                H2FileHousekeeping.DEFAULT_MOVE_PER_ROUND);
        try {
            long empty = settled(housekeeping);

            // A first batch reaches the steady state (the chunks of the last retention window are part of the
            // file from then on); the second batch's growth is what every further finished job costs.
            FinishedJobs.write(store, tx, ledger.ledger, 0, JOBS / 2, JOBS_PER_SECOND, WRITERS);
            long half = settled(housekeeping);
            long allocatedHalf = settledAllocation(housekeeping);
            FinishedJobs.write(store, tx, ledger.ledger, JOBS / 2, JOBS, JOBS_PER_SECOND, WRITERS);
            long full = settled(housekeeping);
            long allocatedFull = settledAllocation(housekeeping);
            double perJob = (allocatedFull - allocatedHalf) / (JOBS / 2.0);
            System.out.printf(Locale.ROOT, "H2 file: empty %d bytes, %d finished jobs %d (%d allocated), %d finished "
                    + "jobs %d (%d allocated): %.0f bytes allocated a further job, %.0f bytes of file%n", empty,
                    JOBS / 2, half, allocatedHalf, JOBS, full, allocatedFull, perJob, (full - half) / (JOBS / 2.0));
            assertThat(perJob).as("bytes allocated a further finished job").isLessThanOrEqualTo(BOUND_PER_JOB);
            long usedBefore = H2Space.usedBytes(housekeeping);

            ResultStore noResults = new FinishedJobs.NoResults();
            int deleted = new JobRetention(store,
                    new StaticListableBeanFactory(Map.of("results", noResults)).getBeanProvider(ResultStore.class),
                    new StaticListableBeanFactory().getBeanProvider(JobDependentRecords.class),
                    Clock.fixed(FinishedJobs.T0.plus(Duration.ofDays(60)), ZoneOffset.UTC), Duration.ofDays(7), Duration.ZERO)
                    .sweep();
            assertThat(deleted).isEqualTo(JOBS);
            long usedAfter = settledUse(housekeeping, usedBefore / 2);
            housekeeping.destroy();
            shutdown(pool);
            long closed = java.nio.file.Files.size(dir.resolve("gateway.mv.db"));
            System.out.printf(Locale.ROOT, "retention deleted them: in use %d -> %d bytes of the open file; "
                    + "%d bytes after close%n", usedBefore, usedAfter, closed);
            // The ledger's entries stay; the rest is free space that new chunks reuse. The file itself shrinks only
            // as far as H2's compaction at close gets in its time limit (MAX_COMPACT_TIME), so that is not asserted.
            assertThat(usedAfter).isLessThan(usedBefore / 2);
        } finally {
            housekeeping.destroy();
            if (!pool.isClosed()) {
                shutdown(pool);
            }
        }
    }

    /** A clean close of the database, as the gateway's shutdown makes it; the pool then discards its connections. */
    static void shutdown(HikariDataSource pool) throws java.sql.SQLException {
        Connection c = pool.getConnection();
        c.createStatement().execute("SHUTDOWN");
        pool.evictConnection(c);
        pool.close();
    }

    /**
     * The bytes in use once housekeeping has freed the deleted jobs' space: the figure as soon as it is under
     * {@code target}, or the lowest seen in thirty seconds. A deleted job's chunks are freed one chunk retention
     * after they die, at the next housekeeping round, with no further commit needed; on a busy machine (the CI run
     * keeps earlier tests' application contexts and their schedulers alive in this JVM) that round may come late, so
     * the test waits for it rather than reading the figure at a fixed moment. A store whose housekeeping never frees
     * them still fails the assertion that follows.
     */
    static long settledUse(H2FileHousekeeping housekeeping, long target) throws InterruptedException {
        long lowest = H2Space.usedBytes(housekeeping);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lowest >= target && System.nanoTime() < deadline) {
            Thread.sleep(100);
            lowest = Math.min(lowest, H2Space.usedBytes(housekeeping));
        }
        return lowest;
    }

    /**
     * The bytes allocated once housekeeping has had the store idle and they stop falling (compaction rewrites sparse
     * chunks and frees the old ones one retention time later), at most ten seconds.
     */
    static long settledAllocation(H2FileHousekeeping housekeeping) throws InterruptedException {
        long lowest = H2Space.usedBytes(housekeeping);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int steady = 0;
        while (steady < 8 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = H2Space.usedBytes(housekeeping);
            steady = now < lowest ? 0 : steady + 1;
            lowest = Math.min(lowest, now);
        }
        return lowest;
    }

    /** The file's size once housekeeping has had the store idle for a few rounds and it stops shrinking. */
    static long settled(H2FileHousekeeping housekeeping) throws InterruptedException {
        Thread.sleep(1_500);
        long size = housekeeping.fileSize();
        for (int i = 0; i < 40; i++) {
            Thread.sleep(250);
            long now = housekeeping.fileSize();
            if (now >= size) {
                return now;
            }
            size = now;
        }
        return size;
    }
}
