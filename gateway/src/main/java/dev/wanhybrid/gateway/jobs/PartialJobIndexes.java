package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.database.PostgresOnlyMigration;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Migration 54: on PostgreSQL three indexes of {@code jobs} leave out the rows they can never find, so a new job
 * (no lease, no task, not finished) writes no entry into them; on H2, which has no partial indexes, it does nothing.
 * A Java migration so that both stores keep one migration history (as migration 53, {@code limits.UnloggedRateBuckets}).
 *
 * <ul>
 *   <li>{@code jobs_lease (lease_owner)}: only rows with a lease. Every query through it names an owner
 *       ({@code lease_owner = ?}), which implies {@code lease_owner IS NOT NULL}.</li>
 *   <li>{@code jobs_backend_task (backend, task_id)}, unique: only rows with a task. NULLs were distinct already, so
 *       the constraint is the same (a backend's task belongs to at most one job); every query through it names a
 *       task ({@code task_id = ?} or {@code IN (...)}).</li>
 *   <li>{@code jobs_finished (status, completed_at)}: only rows with {@code completed_at}. Its readers (retention,
 *       the completed jobs of a window) compare {@code completed_at} with a time, which implies it is set.</li>
 * </ul>
 *
 * <p>Why: a submission inserts one job row, and every index entry it writes costs the database CPU and WAL in the
 * submit's commit (docs/benchmarks/submit.md, issue 19). These three held only NULL keys for every queued job.
 */
@Component
public final class PartialJobIndexes extends PostgresOnlyMigration {

    /** The statements it runs on PostgreSQL, in order. */
    static final List<String> POSTGRES = List.of(
            "DROP INDEX IF EXISTS jobs_lease",
            "CREATE INDEX jobs_lease ON jobs (lease_owner) WHERE lease_owner IS NOT NULL",
            "DROP INDEX IF EXISTS jobs_backend_task",
            "CREATE UNIQUE INDEX jobs_backend_task ON jobs (backend, task_id) WHERE task_id IS NOT NULL",
            "DROP INDEX IF EXISTS jobs_finished",
            "CREATE INDEX jobs_finished ON jobs (status, completed_at) WHERE completed_at IS NOT NULL");

    public PartialJobIndexes() {
        super(54, "partial job indexes", POSTGRES);
    }
}
