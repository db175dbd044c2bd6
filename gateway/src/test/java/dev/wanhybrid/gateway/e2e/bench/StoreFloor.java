package dev.wanhybrid.gateway.e2e.bench;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import dev.wanhybrid.gateway.jobs.GenerationService;
import org.flywaydb.core.Flyway;

/**
 * What a database alone costs to store a submission's three rows (its reservation, the job and its first event, with
 * the values and sizes the gateway writes for the benchmark's request), with no HTTP, no routing and no rendering: a
 * floor under what a durable submit can cost on that store. Not a test: it prints what it measured and asserts
 * nothing. {@code gateway/bench/store-floor.sh} runs it.
 *
 * <ul>
 *   <li>{@code h2 mem|<file path> [threads] [seconds] [jobs per commit]}: inserts the rows into H2 from
 *       {@code threads} threads and prints jobs/s and CPU per job. The schema is the gateway's own (its Flyway
 *       migrations). {@code mem} runs H2 in memory, so no page is ever serialized or written: nothing on the disk
 *       path is counted, and a durable store can only cost more. A file path runs H2 on that file with
 *       {@code WRITE_DELAY=0}, a write at every commit, for comparison. The CPU is the whole process's (user and
 *       system, JIT and GC included) over the measured seconds, after a warm-up as long.
 *   <li>{@code pg-template <jdbc url>}: migrates that PostgreSQL database to the gateway's schema, stores one
 *       submission's rows the same way and copies them into {@code tpl_jobs}, {@code tpl_job_events} and
 *       {@code tpl_spend_entries}, from which the script's pgbench transactions insert copies under new ids.
 * </ul>
 */
public final class StoreFloor {

    private static final String SPEC = "{\"tenant\":\"alpha\",\"model\":\"wan2.5-t2v-preview\",\"kind\":\"T2V\","
            + "\"prompt\":\"a lighthouse in a storm, waves crashing\",\"size\":\"832x480\",\"seconds\":5,"
            + "\"audio\":\"none\",\"routing_objective\":\"COST\",\"routing_local_only\":false}";
    private static final String ROUTE = "{\"reason\":\"model_requested\",\"candidates\":[{\"backend\":\"cloud\","
            + "\"model\":\"wan2.5-t2v-preview\",\"estimated_cost_usd\":0.25,\"estimated_seconds\":120}],"
            + "\"rejected\":[],\"fallbacks\":[]}";

    private StoreFloor() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("pg-template")) {
            pgTemplate(args[1]);
            return;
        }
        if (args.length == 0 || !args[0].equals("h2")) {
            throw new IllegalArgumentException("usage: h2 mem|<file path> [threads] [seconds] [jobs per commit]"
                    + " | pg-template <jdbc url>");
        }
        String where = args.length > 1 ? args[1] : "mem";
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int perCommit = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String url = where.equals("mem") ? "jdbc:h2:mem:floor;DB_CLOSE_DELAY=-1"
                : "jdbc:h2:file:" + where + ";WRITE_DELAY=0;COMPRESS=TRUE;DB_CLOSE_ON_EXIT=FALSE";
        migrate(url, "sa", "");

        LongAdder jobs = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> insertUntil(url, "sa", perCommit, stop, jobs), "floor-" + t);
            worker.start();
            workers.add(worker);
        }
        Thread.sleep(seconds * 1000L); // warm-up: JIT, the engine's caches
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long jobs0 = jobs.sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu1 = os.getProcessCpuTime();
        long jobs1 = jobs.sum();
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        long done = jobs1 - jobs0;
        System.out.printf(Locale.ROOT, "h2-floor store=%s threads=%d per-commit=%d jobs=%d jobs/s=%.0f "
                        + "cpu-ms-per-job=%.4f%n", where.equals("mem") ? "mem" : "file", threads, perCommit, done,
                done / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e6 / done);
    }

    private static void migrate(String url, String user, String password) {
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").outOfOrder(true)
                .load().migrate();
    }

    /** The gateway's schema on a PostgreSQL database, and one submission's rows copied into template tables. */
    private static void pgTemplate(String url) throws SQLException {
        migrate(url, "postgres", "");
        AtomicBoolean stopAfterOneCommit = new AtomicBoolean(true);
        insertUntil(url, "postgres", 1, stopAfterOneCommit, new LongAdder());
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                java.sql.Statement s = c.createStatement()) {
            for (String table : List.of("jobs", "job_events", "spend_entries")) {
                s.execute("DROP TABLE IF EXISTS tpl_" + table);
                s.execute("CREATE TABLE tpl_" + table + " AS SELECT * FROM " + table + " LIMIT 1");
            }
        }
        System.out.println("pg-template ready");
    }

    /** Inserts until {@code stop} is set; one round at least, so a stop set beforehand inserts one commit's jobs. */
    private static void insertUntil(String url, String user, int perCommit, AtomicBoolean stop, LongAdder jobs) {
        try (Connection c = DriverManager.getConnection(url, user, "");
                PreparedStatement job = c.prepareStatement("INSERT INTO jobs (id, tenant, status, phase, "
                        + "requested_model, backend, model, candidate_index, prompt, seconds, size, spec_json, "
                        + "route_json, estimate_usd, next_attempt_at, created_at, updated_at, progress, "
                        + "cancel_requested, deleted, attempts, polls, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?, ?, ?, ?, ?, 0, FALSE, FALSE, 0, 0, 0)");
                PreparedStatement event = c.prepareStatement("INSERT INTO job_events (job_id, tenant, type, "
                        + "status, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)");
                PreparedStatement spend = c.prepareStatement("INSERT INTO spend_entries (job_id, tenant, backend,"
                        + " model, state, estimate_usd, reserved_usd, day_key, month_key, reserved_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            BigDecimal estimate = new BigDecimal("0.250000");
            do {
                for (int i = 0; i < perCommit; i++) {
                    Instant now = Instant.now();
                    Timestamp ts = Timestamp.from(now);
                    String id = GenerationService.newJobId();
                    set(spend, id, "alpha", "cloud", "wan2.5-t2v-preview", "reserved", estimate, estimate,
                            "2026-12-07", "2026-12", ts, ts);
                    spend.executeUpdate();
                    set(job, id, "alpha", "queued", "queued", "wan2.5-t2v-preview", "cloud", "wan2.5-t2v-preview",
                            0, "a lighthouse in a storm, waves crashing", 5, "832x480", SPEC, ROUTE, estimate, ts,
                            ts, ts);
                    job.executeUpdate();
                    set(event, id, "alpha", "video.queued", "queued", payload(id, now), ts);
                    event.executeUpdate();
                }
                c.commit();
                jobs.add(perCommit);
            } while (!stop.get());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void set(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
    }

    /** The first event's payload: the job as the API shows it, about the size the gateway stores (1 KB). */
    private static String payload(String id, Instant now) {
        return "{\"id\":\"" + id + "\",\"object\":\"video\",\"model\":\"wan2.5-t2v-preview\",\"status\":\"queued\","
                + "\"progress\":0,\"progress_estimated\":true,\"created_at\":" + now.getEpochSecond()
                + ",\"completed_at\":null,\"expires_at\":null,\"prompt\":\"a lighthouse in a storm, waves crashing\","
                + "\"seconds\":\"5\",\"size\":\"832x480\",\"remixed_from_video_id\":null,\"error\":null,"
                + "\"backend\":\"cloud\",\"route\":{\"backend\":\"cloud\",\"model\":\"wan2.5-t2v-preview\","
                + "\"reason\":\"model_requested\",\"estimated_cost_usd\":0.25,\"estimated_seconds\":120,"
                + "\"candidates\":[{\"backend\":\"cloud\",\"model\":\"wan2.5-t2v-preview\",\"estimated_cost_usd\":0.25,"
                + "\"estimated_seconds\":120}],\"rejected\":[],\"fallbacks\":[],\"mapping\":null,\"lower_tier\":null,"
                + "\"hedge\":null,\"preempts\":null},\"cost_usd\":null,\"backend_wait\":null,\"budget_wait\":null}";
    }
}
