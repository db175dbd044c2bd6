package dev.wanhybrid.gateway.jobs.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.wanhybrid.gateway.budget.BudgetProperties;
import dev.wanhybrid.gateway.budget.LedgerFixture;
import dev.wanhybrid.gateway.database.FinishedJobs;
import dev.wanhybrid.gateway.database.GroupCommitDataSource;
import dev.wanhybrid.gateway.database.H2FileHousekeeping;
import dev.wanhybrid.gateway.database.H2Space;
import dev.wanhybrid.gateway.jobs.JobDependentRecords;
import dev.wanhybrid.gateway.jobs.JobRetention;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.schedule.PeriodicTask;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The embedded H2 store's footprint per finished job, and what retention gives back. Not a test: it asserts nothing
 * and prints Markdown. Each job takes the path of a real cloud job through the real {@link JobStore} and ledger on an
 * H2 file, as {@link FinishedJobs} writes it, by several writer threads through a Hikari pool (as the gateway's
 * request and dispatcher threads do), with the shipped {@link H2FileHousekeeping} running. Every row of one run
 * writes the same jobs, so the rows compare: commits written at once ({@code WRITE_DELAY=0}, as before group
 * commit) against group commit ({@link GroupCommitDataSource}) at the given intervals, each at full speed and at 30 finished jobs a
 * second, in two halves. The file is measured while open (after the store has been idle for 2 s) after each half,
 * so the second half's growth is what a further job costs, and after a clean close; then
 * retention deletes them all (the clock moved past expiry) and the file is measured again after close.
 *
 * <p>Run: {@code ./mvnw -o -pl gateway test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * '-Dexec.args=-classpath %classpath dev.wanhybrid.gateway.jobs.bench.StoreFootprintBenchmark 1500 8 at-once,20ms 0,30'}
 * (jobs per row; writer threads; how commits are written, separated by commas: {@code at-once} for
 * {@code WRITE_DELAY=0} alone, an interval for group commit at that interval; write rates in finished jobs a second,
 * 0 for full speed; optionally, the housekeeping's compaction per round, separated by commas, {@code 0} for none).
 * With 2,000 jobs or more a row is written in tenths and the open file's size after each tenth is printed, so the
 * growth can be seen to stay linear (or not) over a long run. Besides the file's size at the end of each part, it
 * records the largest size the file reached (sampled every 50 ms: that is what the disk must hold) and the bytes H2
 * counts as allocated ({@code H2Space}).
 *
 * <p>System properties set the housekeeping's other settings, which default to the shipped ones:
 * {@code bench.housekeeping} (its interval), {@code bench.chunk-retention}, {@code bench.move-per-round} (0: no
 * chunk moves); {@code bench.trace-growth=true} prints the files and H2's chunks whenever the largest size jumps by
 * more than 8 MB between two samples.
 */
public final class StoreFootprintBenchmark {

    private StoreFootprintBenchmark() {}

    /** One row: the write rate (0: full speed) and the group commit interval (null: {@code WRITE_DELAY=0}). */
    record Row(int jobsPerSecond, Duration groupCommit, DataSize compaction, String settings) {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<Duration> commits = Arrays.stream((args.length > 2 ? args[2] : "at-once,20ms").split(","))
                .map(String::trim).map(c -> c.equals("at-once") ? null : DurationStyle.detectAndParse(c)).toList();
        int[] rates = Arrays.stream((args.length > 3 ? args[3] : "0,30").split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
        List<DataSize> compactions = Arrays.stream((args.length > 4 ? args[4]
                : H2FileHousekeeping.DEFAULT_COMPACTION_PER_ROUND.toBytes() + "B").split(",")).map(String::trim)
                .map(DataSize::parse).toList();
        List<String> settings = Arrays.stream((args.length > 5 ? args[5] : "").split(",", -1)).map(String::trim)
                .toList();
        List<Row> rows = new ArrayList<>();
        for (int rate : rates) {
            for (Duration interval : commits) {
                for (DataSize compaction : compactions) {
                    settings.forEach(setting -> rows.add(new Row(rate, interval, compaction, setting)));
                }
            }
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, """
                %d finished jobs a row, %d writer threads, load average before: %s

                | commits | rate | compaction per round | URL settings | write time s | shared writes | file while open | largest file | allocated | per job while open | per further job (second half) | allocated per further job | after close | per job after close | after retention and close |
                |---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                """, jobs, writers, loadAverage()));
        for (Row row : rows) {
            out.append(measure(row, jobs, writers)).append('\n');
            System.out.println(out);
        }
        System.out.println("load average after: " + loadAverage());
    }

    static String measure(Row row, int jobs, int writers) throws Exception {
        Path dir = Files.createTempDirectory("footprint");
        String url = "jdbc:h2:file:" + dir.resolve("gateway") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
                + (row.settings().isEmpty() ? "" : ";" + row.settings());
        long half;
        long open;
        long allocated;
        long allocatedHalf;
        double seconds;
        long writes = 0;
        AtomicLong largest = new AtomicLong();
        try (Store s = new Store(url, row.groupCommit(), writers)) {
            H2FileHousekeeping housekeeping = new H2FileHousekeeping(s.dataSource,
                    DurationStyle.detectAndParse(System.getProperty("bench.housekeeping",
                            H2FileHousekeeping.DEFAULT_INTERVAL.toMillis() + "ms")),
                    DurationStyle.detectAndParse(System.getProperty("bench.chunk-retention",
                            H2FileHousekeeping.DEFAULT_CHUNK_RETENTION.toMillis() + "ms")), row.compaction(),
                    DataSize.parse(System.getProperty("bench.move-per-round",
                            H2FileHousekeeping.DEFAULT_MOVE_PER_ROUND.toBytes() + "B")));
            // The disk must hold the file at its largest, not as it happens to be when a part ends.
            PeriodicTask sampler = PeriodicTask.every("file-size", Duration.ofMillis(50), () -> {
                try {
                    long now = size(dir);
                    long before = largest.getAndAccumulate(now, Math::max);
                    if (Boolean.getBoolean("bench.trace-growth") && now > before + 8_000_000) {
                        // Where a jump of the largest size comes from: the files, and H2's chunks at that moment.
                        try (Stream<Path> files = Files.list(dir)) {
                            System.out.println("    grew to " + mb(now) + ": " + files.map(p -> p.getFileName() + " "
                                    + mb(p.toFile().length())).toList() + "; allocated "
                                    + mb(H2Space.usedBytes(housekeeping)) + "; " + H2Space.chunks(housekeeping));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            sampler.start();
            int parts = jobs >= 2_000 ? 10 : 2;
            long[] sizes = new long[parts + 1];
            long[] used = new long[parts + 1];
            seconds = 0;
            for (int part = 0; part < parts; part++) {
                long start = System.nanoTime();
                FinishedJobs.write(s.store, s.tx, s.ledger.ledger, jobs * part / parts, jobs * (part + 1) / parts,
                        row.jobsPerSecond(), writers);
                seconds += (System.nanoTime() - start) / 1e9;
                Thread.sleep(2_000);
                sizes[part + 1] = size(dir);
                used[part + 1] = H2Space.usedBytes(housekeeping);
                if (parts > 2) {
                    System.out.printf(Locale.ROOT, "  %s, %s, compaction %s: %d jobs written in %.0f s, open file %.1f MB"
                            + " (largest so far %.1f MB), allocated %.1f MB%n",
                            row.groupCommit() == null ? "at once" : "group commit " + row.groupCommit(),
                            row.jobsPerSecond() == 0 ? "full speed" : row.jobsPerSecond() + " jobs/s",
                            row.compaction(), jobs * (part + 1) / parts, seconds, sizes[part + 1] / 1e6,
                            largest.get() / 1e6, used[part + 1] / 1e6);
                    System.out.println("    " + H2Space.chunks(housekeeping));
                }
            }
            half = sizes[parts / 2];
            allocatedHalf = used[parts / 2];
            allocated = used[parts];
            sampler.stop();
            housekeeping.destroy();
            open = size(dir);
            if (s.dataSource instanceof GroupCommitDataSource groupCommit) {
                writes = groupCommit.groupCommit().writes();
            }
        }
        long closed = size(dir);
        try (Store s = new Store(url, null, 1)) {
            ResultStore none = new FinishedJobs.NoResults();
            JobRetention retention = new JobRetention(s.store, new StaticListableBeanFactory(Map.of("r", none))
                    .getBeanProvider(ResultStore.class),
                    new StaticListableBeanFactory().getBeanProvider(JobDependentRecords.class),
                    Clock.fixed(FinishedJobs.T0.plus(Duration.ofDays(60)), ZoneOffset.UTC), Duration.ofDays(7),
                    Duration.ZERO);
            if (retention.sweep() != jobs) {
                throw new IllegalStateException("retention did not delete every job");
            }
        }
        long after = size(dir);
        int further = jobs - jobs / 2;
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | %.1f MB | %.1f MB | %.1f MB | %.1f KB | %.1f KB"
                        + " | %.1f KB | %.1f MB | %.1f KB | %.1f MB |",
                row.groupCommit() == null ? "at once (`WRITE_DELAY=0`)" : "group commit, " + row.groupCommit(),
                row.jobsPerSecond() == 0 ? "full speed" : row.jobsPerSecond() + " jobs/s", row.compaction(),
                row.settings().isEmpty() ? "-" : "`" + row.settings() + "`", seconds,
                row.groupCommit() == null ? "-" : writes + " for " + jobs * 5, open / 1e6, largest.get() / 1e6,
                allocated / 1e6, open / 1e3 / jobs, (open - half) / 1e3 / further,
                (allocated - allocatedHalf) / 1e3 / further, closed / 1e6, closed / 1e3 / jobs, after / 1e6);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The store over a Hikari pool, with or without group commit, closed like the gateway closes it. */
    static final class Store implements AutoCloseable {
        final HikariDataSource pool;
        final DataSource dataSource;
        final LedgerFixture ledger;
        final TransactionTemplate tx;
        final JobStore store;

        Store(String url, Duration groupCommit, int connections) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername("sa");
            config.setMaximumPoolSize(Math.max(2, connections));
            pool = new HikariDataSource(config);
            dataSource = groupCommit == null ? pool : GroupCommitDataSource.over(pool, groupCommit);
            ledger = new LedgerFixture(dataSource, ZoneOffset.UTC, new BudgetProperties.Degrade(BigDecimal.ZERO,
                    "none"));
            tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            store = new JobStore(JdbcClient.create(dataSource), tx,
                    job -> "{\"id\":\"" + job.id() + "\",\"object\":\"video\",\"status\":\"" + job.status().wire()
                            + "\",\"model\":\"" + job.model() + "\",\"progress\":" + job.progress() + "}");
        }

        @Override
        public void close() throws Exception {
            // The connection dies with the database; the pool then discards it.
            Connection c = pool.getConnection();
            c.createStatement().execute("SHUTDOWN");
            pool.evictConnection(c);
            pool.close();
        }
    }
}
