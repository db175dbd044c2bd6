-- Recovery of lost submissions (issue 12). Portable SQL: runs on H2 and PostgreSQL.

-- When the job last started a submission: after a restart, reconciliation looks for its task in the provider's
-- task list around this time, and gives up (failing the job with submission_unresolved) a bounded time after it.
ALTER TABLE jobs ADD COLUMN submitted_at TIMESTAMP WITH TIME ZONE;

-- A backend's task belongs to at most one job: two reconcilers (threads, instances) can never bind the same
-- billed task to two jobs. NULLs (no task yet) are distinct on both databases.
CREATE UNIQUE INDEX jobs_backend_task ON jobs (backend, task_id);
