package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.gateway.limits.UnloggedRateBuckets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Migration 54 on both stores, run as the gateway runs it (the SQL migrations and the Java ones together): on
 * PostgreSQL the lease, task and finished indexes of {@code jobs} hold only rows with a lease, a task or a completion
 * time, a new job adds no entry to them, the task index still refuses a second job for one backend task, and the
 * queries that read through them can still use them; on H2 it changes nothing and is recorded like any other
 * migration.
 */
class PartialJobIndexesTest {

    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 7, 12, 0, 0, 0, ZoneOffset.UTC);

    static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                .javaMigrations(new UnloggedRateBuckets(), new PartialJobIndexes()).load().migrate();
    }

    @Test
    void onPostgresTheThreeIndexesLeaveOutNewJobs() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            DataSource dataSource = postgres.getPostgresDatabase();
            migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            Map<String, String> definitions = new TreeMap<>();
            jdbc.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'jobs'",
                    row -> {
                        definitions.put(row.getString(1), row.getString(2));
                    });
            assertThat(definitions.get("jobs_lease")).endsWith("(lease_owner) WHERE (lease_owner IS NOT NULL)");
            assertThat(definitions.get("jobs_backend_task"))
                    .startsWith("CREATE UNIQUE INDEX").endsWith("(backend, task_id) WHERE (task_id IS NOT NULL)");
            assertThat(definitions.get("jobs_finished"))
                    .endsWith("(status, completed_at) WHERE (completed_at IS NOT NULL)");
            // The others are as migrations 1 and 30 left them: every job has an entry.
            assertThat(definitions.get("jobs_due")).doesNotContain("WHERE");
            assertThat(definitions.get("jobs_tenant_created")).doesNotContain("WHERE");

            job(jdbc, "video_new", null, null, null);
            job(jdbc, "video_leased", "instance-1", null, null);
            job(jdbc, "video_task", null, "task-1", null);
            job(jdbc, "video_done", null, null, NOW);
            jdbc.execute("VACUUM ANALYZE jobs");
            // A new job (no lease, no task, not finished) has no entry in any of the three.
            assertThat(entries(jdbc, "jobs_lease")).isEqualTo(1);
            assertThat(entries(jdbc, "jobs_backend_task")).isEqualTo(1);
            assertThat(entries(jdbc, "jobs_finished")).isEqualTo(1);
            assertThat(entries(jdbc, "jobs_due")).isEqualTo(4);

            // A backend's task still belongs to at most one job; jobs without a task are any number.
            assertThatThrownBy(() -> job(jdbc, "video_task_again", null, "task-1", null))
                    .isInstanceOf(DataIntegrityViolationException.class);
            job(jdbc, "video_new_2", null, null, null);

            // The readers' predicates imply the indexes' own, so the planner can read through them (one session:
            // the settings below are the session's).
            SingleConnectionDataSource session = new SingleConnectionDataSource(dataSource.getConnection(), true);
            checkPlans(new JdbcTemplate(session));
            session.destroy();
        }
    }

    private static void checkPlans(JdbcTemplate jdbc) {
        jdbc.execute("SET enable_seqscan = off");
        assertThat(plan(jdbc, "SELECT id FROM jobs WHERE lease_owner = 'instance-1'")).contains("jobs_lease");
        assertThat(plan(jdbc, "SELECT id FROM jobs WHERE backend = 'cloud' AND task_id = 'task-1'"))
                .contains("jobs_backend_task");
        assertThat(plan(jdbc, "SELECT id FROM jobs WHERE backend = 'cloud' AND task_id IN ('task-1', 'task-2')"))
                .contains("jobs_backend_task");
        assertThat(plan(jdbc, "SELECT id, result_key FROM jobs WHERE status IN ('completed', 'failed', "
                + "'cancelled') AND completed_at < now() ORDER BY completed_at LIMIT 10")).contains("jobs_finished");
        // As the store sends them: prepared, the values bound.
        jdbc.execute("PREPARE finished(timestamptz, int) AS SELECT id FROM jobs WHERE status IN ('completed',"
                + " 'failed', 'cancelled') AND completed_at < $1 ORDER BY completed_at LIMIT $2");
        jdbc.execute("SET plan_cache_mode = force_generic_plan");
        assertThat(plan(jdbc, "EXECUTE finished(now(), 10)")).contains("jobs_finished");
        jdbc.execute("PREPARE owned(text) AS SELECT id FROM jobs WHERE lease_owner = $1");
        assertThat(plan(jdbc, "EXECUTE owned('instance-1')")).contains("jobs_lease");
    }

    @Test
    void onH2ItChangesNothing() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:partial-job-indexes;DB_CLOSE_DELAY=-1");
        migrate(dataSource);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '54'"
                + " AND \"success\"", Integer.class)).isEqualTo(1);
        List<String> indexes = jdbc.queryForList("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES"
                + " WHERE TABLE_NAME = 'JOBS'", String.class);
        assertThat(indexes).contains("JOBS_LEASE", "JOBS_BACKEND_TASK", "JOBS_FINISHED");
        job(jdbc, "video_task", null, "task-1", null);
        assertThatThrownBy(() -> job(jdbc, "video_task_again", null, "task-1", null))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    private static void job(JdbcTemplate jdbc, String id, String leaseOwner, String taskId,
            OffsetDateTime completedAt) {
        jdbc.update("""
                INSERT INTO jobs (id, tenant, status, phase, requested_model, backend, model, candidate_index, prompt,
                    seconds, spec_json, route_json, progress, cancel_requested, deleted, attempts, polls,
                    lease_owner, task_id, completed_at, next_attempt_at, created_at, updated_at, version)
                VALUES (?, 'acme', ?, ?, 'auto', 'cloud', 'wan2.5-t2v-preview', 0, 'p', 5, '{}', '{}', 0, FALSE,
                    FALSE, 0, 0, ?, ?, ?, ?, ?, ?, 0)""", id, completedAt == null ? "queued" : "completed",
                completedAt == null ? "queued" : "completed", leaseOwner, taskId, completedAt, NOW, NOW, NOW);
    }

    private static long entries(JdbcTemplate jdbc, String index) {
        // pgstattuple is not in the embedded server; the planner's count after VACUUM is exact for a small index.
        return jdbc.queryForObject("SELECT reltuples::bigint FROM pg_class WHERE relname = ?", Long.class, index);
    }

    private static String plan(JdbcTemplate jdbc, String query) {
        return String.join("\n", jdbc.queryForList("EXPLAIN " + query, String.class));
    }
}
