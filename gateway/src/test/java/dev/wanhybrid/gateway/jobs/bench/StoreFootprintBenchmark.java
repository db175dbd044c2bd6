package dev.wanhybrid.gateway.jobs.bench;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.jobs.JobDependentRecords;
import dev.wanhybrid.gateway.jobs.JobPhase;
import dev.wanhybrid.gateway.jobs.JobRetention;
import dev.wanhybrid.gateway.jobs.JobRoute;
import dev.wanhybrid.gateway.jobs.JobStore;
import dev.wanhybrid.gateway.routing.Route;
import dev.wanhybrid.gateway.routing.RouteCandidate;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded H2 store's footprint per finished job, and what retention gives back. Not a test: it asserts nothing
 * and prints Markdown. Each job takes the path of a real cloud job through the real {@link JobStore} on an H2 file
 * with the URL settings given (default: the shipped {@code WRITE_DELAY=0}): created with its first event, then
 * submitting, running, fetching the result and completed, each a commit with its event. The file is measured while
 * open and after a clean close; then retention deletes them all (the clock moved past expiry) and the file is
 * measured again after close.
 *
 * <p>Run: {@code ./mvnw -pl gateway test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test
 * '-Dexec.args=-classpath %classpath dev.wanhybrid.gateway.jobs.bench.StoreFootprintBenchmark 20000 ;WRITE_DELAY=0'}.
 */
public final class StoreFootprintBenchmark {

    private StoreFootprintBenchmark() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String settings = args.length > 1 ? args[1] : ";WRITE_DELAY=0";
        Path dir = Files.createTempDirectory("footprint");
        String url = "jdbc:h2:file:" + dir.resolve("gateway") + settings + ";DB_CLOSE_ON_EXIT=FALSE";
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        long start = System.nanoTime();
        long open;
        long closed;
        try (Store s = new Store(url)) {
            GenerationSpec spec = new GenerationSpec("acme", "auto", TaskKind.T2V,
                    "a lighthouse in a storm, waves crashing against the rocks at dusk", null, null, 5, null, null,
                    null, null, null);
            RouteCandidate cloud = new RouteCandidate("cloud", "wan2.5-t2v-preview", new BigDecimal("0.50"),
                    Duration.ofSeconds(90));
            RouteCandidate local = new RouteCandidate("local", "wan2.1-t2v-1.3b", new BigDecimal("0.004"),
                    Duration.ofSeconds(240));
            JobRoute route = JobRoute.of(new Route(List.of(cloud, local), List.of(), "cheapest"), List.of(cloud, local),
                    List.of());
            for (int i = 0; i < jobs; i++) {
                Instant at = t0.plusSeconds(i);
                String id = String.format(Locale.ROOT, "video_%032x", i);
                Job job = s.store.create(Job.accepted(id, spec, route, at));
                job = s.store.transition(job, JobPhase.SUBMITTING, null, at, set -> {}).orElseThrow();
                job = s.store.transition(job, JobPhase.RUNNING, null, at.plusSeconds(1),
                        set -> set.taskId("0b5e4f6a-9d3c-4a8e-b1f2-" + String.format(Locale.ROOT, "%012x", id.hashCode() & 0xffffffffL))).orElseThrow();
                job = s.store.transition(job, JobPhase.FETCHING_RESULT, null, at.plusSeconds(60), set -> set.progress(100))
                        .orElseThrow();
                s.store.transition(job, JobPhase.COMPLETED, null, at.plusSeconds(61),
                        set -> set.result("results/" + id + ".mp4", 3_000_000, "ab".repeat(32))
                                .actualUsd(new BigDecimal("0.50"))).orElseThrow();
            }
            open = size(dir);
        }
        closed = size(dir);
        double seconds = (System.nanoTime() - start) / 1e9;
        int deleted;
        try (Store s = new Store(url)) {
            ResultStore none = new NoResults();
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
                """, deleted, settings, jobs, jobs * 5, seconds, open / 1e6, closed / 1e6, closed / 1e3 / jobs,
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
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").outOfOrder(true).load()
                    .migrate();
            store = new JobStore(JdbcClient.create(dataSource),
                    new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                    job -> "{\"id\":\"" + job.id() + "\",\"object\":\"video\",\"status\":\"" + job.status().wire()
                            + "\",\"model\":\"" + job.model() + "\",\"progress\":" + job.progress() + "}");
        }

        @Override
        public void close() throws Exception {
            dataSource.getConnection().createStatement().execute("SHUTDOWN");
            dataSource.destroy();
        }
    }

    /** Results are not written by this benchmark; deleting one is a no-op. */
    static final class NoResults implements ResultStore {
        @Override
        public dev.wanhybrid.gateway.storage.StoredObject put(String key, java.io.InputStream content, long maxBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.Optional<dev.wanhybrid.gateway.storage.StoredObject> stat(String key) {
            return java.util.Optional.empty();
        }

        @Override
        public java.io.InputStream open(String key, long offset, long length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String key) {}
    }
}
