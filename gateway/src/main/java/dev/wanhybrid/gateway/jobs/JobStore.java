package dev.wanhybrid.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wanhybrid.gateway.backend.OpenTasks;
import dev.wanhybrid.gateway.database.SqlWrites;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable job store on SQL (H2 embedded, PostgreSQL shared). Every transition is one transaction that updates
 * the row under an optimistic version check and appends its {@code job_events} row, so the event outbox never
 * disagrees with the job.
 *
 * <p>Leases use plain conditional updates (no {@code SKIP LOCKED}) so the same statements work on H2 and
 * PostgreSQL: a claim succeeds only for a row that is unowned or whose lease expired.
 */
@Repository
public class JobStore implements OpenTasks {

    private static final String COLUMNS = "id, tenant, status, phase, requested_model, backend, model, "
            + "candidate_index, prompt, seconds, size, spec_json, route_json, task_id, progress, estimate_usd, "
            + "actual_usd, result_key, result_size, result_sha256, error_code, error_message, cancel_requested, "
            + "deleted, attempts, polls, lease_owner, lease_expires_at, next_attempt_at, created_at, updated_at, "
            + "completed_at, submitted_at, version";
    private static final String EVENT_COLUMNS = "job_id, tenant, type, status, payload, created_at";
    private static final List<String> COLUMN_NAMES = List.of(COLUMNS.split(", "));
    private static final String JOB_ROW_PLACEHOLDERS = "(" + String.join(", ",
            Collections.nCopies(COLUMN_NAMES.size(), "?")) + ")";
    /**
     * The columns a new job sets that vary from job to job; {@link #NEW_JOB_ROW} writes the others as the constants
     * every new job has (0, FALSE, or NULL by leaving them out).
     */
    private static final String NEW_JOB_COLUMNS = "id, tenant, status, phase, requested_model, backend, model, "
            + "candidate_index, prompt, seconds, size, spec_json, route_json, estimate_usd, next_attempt_at, "
            + "created_at, updated_at, progress, cancel_requested, deleted, attempts, polls, version";
    private static final String NEW_JOB_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, FALSE, FALSE, 0, 0, 0)";
    static final String ACTIVE_PHASES = "('queued', 'submitting', 'submission_unknown', 'running', "
            + "'fetching_result')";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JobRenderer renderer;
    /**
     * Writes {@code spec_json} and {@code route_json} without their null fields (a plain request's spec is half nulls),
     * and reads them back; an absent field reads as null, so rows written with the nulls read the same. Every byte
     * of a job row is written to the table and the WAL in the submit's commit (docs/benchmarks/submit.md).
     */
    private final JsonMapper json = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private final JobEventSignal signal;

    /** A store whose events nobody in this process waits for (tests). */
    public JobStore(JdbcClient jdbc, TransactionTemplate tx, JobRenderer renderer) {
        this(jdbc, tx, renderer, new JobEventSignal());
    }

    @org.springframework.beans.factory.annotation.Autowired
    public JobStore(JdbcClient jdbc, TransactionTemplate tx, JobRenderer renderer, JobEventSignal signal) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.renderer = renderer;
        this.signal = signal;
    }

    /** Inserts a new job and its first event in one transaction ({@link #createAll} of one). */
    public Job create(Job job) {
        createAll(List.of(job));
        return job;
    }

    /**
     * Inserts new jobs and the first event of each, in the caller's transaction (or one of its own): one multi-row
     * statement per table, so a group of submissions costs two statements instead of two per job. Each job's signal
     * rings once the transaction commits.
     */
    public void createAll(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        tx.executeWithoutResult(status -> createAll(jobs, SqlWrites.now(jdbc)));
    }

    /** {@link #createAll(List)} through {@code writes}: its statements go with others (one round trip). */
    public void createAll(List<Job> jobs, SqlWrites writes) {
        if (jobs.isEmpty()) {
            return;
        }
        // A new job as submitted (queued or waiting for budget) has no task, lease, result or error yet: its row
        // binds only the columns that vary, half of them (each bound value is work for the driver and the server).
        boolean allNew = jobs.stream().allMatch(JobStore::isNew);
        StringBuilder insertJobs = new StringBuilder("INSERT INTO jobs (")
                .append(allNew ? NEW_JOB_COLUMNS : COLUMNS).append(") VALUES ");
        StringBuilder insertEvents = new StringBuilder("INSERT INTO job_events (" + EVENT_COLUMNS + ") VALUES ");
        List<Object> jobParams = new ArrayList<>(jobs.size() * (allNew ? 17 : COLUMN_NAMES.size()));
        List<Object> eventParams = new ArrayList<>(jobs.size() * 6);
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            insertJobs.append(i == 0 ? "" : ", ").append(allNew ? NEW_JOB_ROW : JOB_ROW_PLACEHOLDERS);
            insertEvents.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
            if (allNew) {
                addNewJobValues(job, jobParams);
            } else {
                Map<String, Object> row = row(job);
                COLUMN_NAMES.forEach(column -> jobParams.add(row.get(column)));
            }
            eventParams.addAll(Arrays.asList(job.id(), job.tenant(), "video." + job.status().wire(),
                    job.status().wire(), renderer.render(job), ts(job.createdAt())));
        }
        writes.update(insertJobs.toString(), jobParams);
        writes.update(insertEvents.toString(), eventParams);
        writes.afterCommit(() -> jobs.forEach(signal::ring));
    }

    /** A finished job past its retention: its id and where its result is stored (or null). */
    public record Expired(String id, String resultKey) {}

    /** Up to {@code limit} jobs that finished (completed, failed or cancelled) before {@code cutoff}, oldest first. */
    public List<Expired> finishedBefore(Instant cutoff, int limit) {
        return jdbc.sql("""
                SELECT id, result_key FROM jobs
                WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at < :cutoff
                ORDER BY completed_at LIMIT :limit""")
                .param("cutoff", ts(cutoff)).param("limit", limit)
                .query((rs, n) -> new Expired(rs.getString(1), rs.getString(2))).list();
    }

    /** Deletes finished jobs and their events, in one transaction; a job that is not finished is left alone. */
    public int deleteFinished(List<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        Integer deleted = tx.execute(status -> {
            jdbc.sql("""
                    DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs
                    WHERE id IN (:ids) AND status IN ('completed', 'failed', 'cancelled'))""")
                    .param("ids", ids).update();
            return jdbc.sql("DELETE FROM jobs WHERE id IN (:ids) AND status IN ('completed', 'failed', 'cancelled')")
                    .param("ids", ids).update();
        });
        return deleted == null ? 0 : deleted;
    }

    public Optional<Job> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id").param("id", id).query(this::map)
                .optional();
    }

    /** A tenant's job, or empty for a missing, deleted or another tenant's job (all answer 404 alike). */
    public Optional<Job> findVisible(String tenant, String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id AND tenant = :tenant AND deleted = FALSE")
                .param("id", id).param("tenant", tenant).query(this::map).optional();
    }

    /**
     * One page of a tenant's visible jobs in creation order.
     *
     * @param after the id of the last job of the previous page, or {@code null}
     * @return up to {@code limit + 1} jobs; the extra one tells the caller there are more
     */
    public List<Job> list(String tenant, Job after, int limit, boolean ascending) {
        String order = ascending ? "ASC" : "DESC";
        String cmp = ascending ? ">" : "<";
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE tenant = :tenant AND deleted = FALSE");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tenant", tenant);
        if (after != null) {
            sql.append(" AND (created_at ").append(cmp).append(" :after_created OR (created_at = :after_created AND id ")
                    .append(cmp).append(" :after_id))");
            params.put("after_created", ts(after.createdAt()));
            params.put("after_id", after.id());
        }
        sql.append(" ORDER BY created_at ").append(order).append(", id ").append(order).append(" LIMIT :limit");
        params.put("limit", limit + 1);
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    /**
     * Moves a job to {@code to} if it is still at the version the caller read, and appends the event, in one
     * transaction.
     *
     * @param owner when not {@code null}, the write also requires this lease owner (a dispatcher whose lease was
     *     taken over must not write)
     * @param changes further columns to set
     * @return the job after the write, or empty when someone else changed it first
     * @throws IllegalStateException for a transition the state machine does not allow
     */
    public Optional<Job> transition(Job current, JobPhase to, String owner, Instant now, Consumer<Changes> changes) {
        if (!current.phase().successors().contains(to)) {
            throw new IllegalStateException("job " + current.id() + " cannot move from " + current.phase() + " to " + to);
        }
        Changes set = new Changes();
        changes.accept(set);
        set.put("phase", to.wire());
        set.put("status", to.status().wire());
        set.put("updated_at", ts(now));
        if (to.isTerminal()) {
            set.put("completed_at", ts(now));
            set.put("lease_owner", null);
            set.put("lease_expires_at", null);
        }
        Optional<Job> written = tx.execute(status -> {
            Optional<Job> updated = update(current, owner, set);
            updated.ifPresent(job -> appendEventIfVisible(current, job, now));
            return updated;
        });
        written.ifPresent(signal::committed);
        return written;
    }

    /** Writes columns that do not change the phase (progress, next attempt, cancel request) under the same check. */
    public Optional<Job> update(Job current, String owner, Instant now, Consumer<Changes> changes, boolean event) {
        Changes set = new Changes();
        changes.accept(set);
        set.put("updated_at", ts(now));
        Optional<Job> written = tx.execute(status -> {
            Optional<Job> updated = update(current, owner, set);
            if (event) {
                updated.ifPresent(job -> appendEventIfVisible(current, job, now));
            }
            return updated;
        });
        if (event) {
            written.ifPresent(signal::committed);
        }
        return written;
    }

    /**
     * Appends the event of a write, except a {@code video.updated} whose video object a client would see
     * unchanged (an internal phase change such as queued to submitting).
     */
    private void appendEventIfVisible(Job before, Job after, Instant now) {
        String type = eventType(before, after);
        if (type.equals(JobEvent.TYPE_UPDATED) && renderer.render(before).equals(renderer.render(after))) {
            return;
        }
        appendEvent(after, type, now);
    }

    private Optional<Job> update(Job current, String owner, Changes set) {
        StringBuilder sql = new StringBuilder("UPDATE jobs SET version = version + 1");
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : set.values.entrySet()) {
            sql.append(", ").append(e.getKey()).append(" = :").append(e.getKey());
            params.put(e.getKey(), e.getValue());
        }
        sql.append(" WHERE id = :w_id AND version = :w_version");
        params.put("w_id", current.id());
        params.put("w_version", current.version());
        if (owner != null) {
            sql.append(" AND lease_owner = :w_owner");
            params.put("w_owner", owner);
        }
        int rows = jdbc.sql(sql.toString()).params(params).update();
        return rows == 1 ? find(current.id()) : Optional.empty();
    }

    private static String eventType(Job before, Job after) {
        if (after.deleted() && !before.deleted()) {
            return JobEvent.TYPE_DELETED;
        }
        if (after.status() != before.status()) {
            return "video." + after.status().wire();
        }
        if (after.progress() != before.progress()) {
            return JobEvent.TYPE_PROGRESS;
        }
        return JobEvent.TYPE_UPDATED;
    }

    private void appendEvent(Job job, String type, Instant now) {
        jdbc.sql("INSERT INTO job_events (" + EVENT_COLUMNS + ") "
                + "VALUES (:job_id, :tenant, :type, :status, :payload, :created_at)")
                .param("job_id", job.id())
                .param("tenant", job.tenant())
                .param("type", type)
                .param("status", job.status().wire())
                .param("payload", renderer.render(job))
                .param("created_at", ts(now))
                .update();
    }

    /** The job that holds {@code taskId} of {@code backend}, if any (at most one: the ids are unique per backend). */
    public Optional<Job> findByTask(String backend, String taskId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE backend = :backend AND task_id = :task_id")
                .param("backend", backend).param("task_id", taskId).query(this::map).optional();
    }

    /**
     * Whether a job of {@code backend}/{@code model} whose submission outcome is still open (submitting or in doubt)
     * could yet bind a task created at {@code createdAt}: its reconciliation looks from a minute before its
     * submission to five minutes after, and a job without a recorded submission time could look anywhere.
     */
    public boolean mayStillBind(String backend, String model, Instant createdAt) {
        Integer open = jdbc.sql("SELECT COUNT(*) FROM jobs WHERE backend = :backend AND model = :model "
                + "AND phase IN ('submitting', 'submission_unknown') AND (submitted_at IS NULL "
                + "OR (submitted_at > :earliest AND submitted_at <= :latest))")
                .param("backend", backend).param("model", model)
                .param("earliest", ts(createdAt.minus(java.time.Duration.ofMinutes(5))))
                .param("latest", ts(createdAt.plus(java.time.Duration.ofMinutes(1))))
                .query(Integer.class).single();
        return open > 0;
    }

    /** Jobs of {@code backend}/{@code model} with this prompt that gave up on a lost submission (billing attribution). */
    public List<Job> unresolvedSubmissions(String backend, String model, String prompt) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE backend = :backend AND model = :model "
                + "AND error_code = 'submission_unresolved'")
                .param("backend", backend).param("model", model).query(this::map).list().stream()
                .filter(job -> prompt.equals(job.spec().prompt())).toList();
    }

    /** The subset of {@code taskIds} of {@code backend} that some job (any phase, any instance) holds. */
    public Set<String> claimedTaskIds(String backend, Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("SELECT task_id FROM jobs WHERE backend = :backend AND task_id IN (:ids)")
                .param("backend", backend).param("ids", List.copyOf(taskIds)).query(String.class).list());
    }

    /** Open: in a phase a dispatcher works on ({@link JobPhase#ACTIVE}), whichever instance holds it. */
    @Override
    public Set<String> openAmong(String backend, Collection<String> names) {
        if (names.isEmpty()) {
            return Set.of();
        }
        Set<String> open = new HashSet<>();
        jdbc.sql("SELECT id, task_id FROM jobs WHERE phase IN " + ACTIVE_PHASES
                        + " AND (id IN (:names) OR (backend = :backend AND task_id IN (:names)))")
                .param("backend", backend).param("names", List.copyOf(names))
                .query((rs, row) -> {
                    open.add(rs.getString(1));
                    if (rs.getString(2) != null) {
                        open.add(rs.getString(2));
                    }
                    return null;
                }).list();
        open.retainAll(Set.copyOf(names));
        return open;
    }

    /**
     * Claims up to {@code limit} due, unowned (or expired) jobs whose current backend is one of {@code backends}.
     */
    public List<Job> claim(String owner, Collection<String> backends, Instant now, Instant leaseUntil, int limit) {
        if (backends.isEmpty() || limit <= 0) {
            return List.of();
        }
        List<String> ids = jdbc.sql("SELECT id FROM jobs WHERE phase IN " + ACTIVE_PHASES
                        + " AND backend IN (:backends) AND (next_attempt_at <= :now OR cancel_requested = TRUE)"
                        + " AND (lease_owner IS NULL OR lease_expires_at < :now)"
                        + " ORDER BY next_attempt_at LIMIT :limit")
                .param("backends", List.copyOf(backends)).param("now", ts(now)).param("limit", limit)
                .query(String.class).list();
        List<Job> claimed = new ArrayList<>();
        for (String id : ids) {
            int rows = jdbc.sql("UPDATE jobs SET lease_owner = :owner, lease_expires_at = :until WHERE id = :id"
                            + " AND phase IN " + ACTIVE_PHASES + " AND (lease_owner IS NULL OR lease_expires_at < :now)")
                    .param("owner", owner).param("until", ts(leaseUntil)).param("id", id).param("now", ts(now))
                    .update();
            if (rows == 1) {
                find(id).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    /** Jobs waiting under a spent budget ({@link JobPhase#BUDGET_QUEUED}) that are due to be routed again. */
    public List<Job> dueBudgetQueued(Instant now, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE phase = 'budget_queued' AND next_attempt_at <= :now"
                        + " AND cancel_requested = FALSE ORDER BY next_attempt_at LIMIT :limit")
                .param("now", ts(now)).param("limit", limit).query(this::map).list();
    }

    /** This owner's unfinished jobs that are due now, or that a caller asked to cancel. */
    public List<Job> dueOwned(String owner, Instant now, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE lease_owner = :owner AND phase IN " + ACTIVE_PHASES
                        + " AND (next_attempt_at <= :now OR cancel_requested = TRUE) ORDER BY next_attempt_at LIMIT :limit")
                .param("owner", owner).param("now", ts(now)).param("limit", limit).query(this::map).list();
    }

    /** Extends every lease this owner holds, in one statement. */
    public int renewLeases(String owner, Instant leaseUntil) {
        return jdbc.sql("UPDATE jobs SET lease_expires_at = :until WHERE lease_owner = :owner AND phase IN "
                + ACTIVE_PHASES).param("until", ts(leaseUntil)).param("owner", owner).update();
    }

    /** Gives up every lease of this owner (at shutdown, or at start for a stable instance id). */
    public int releaseLeases(String owner) {
        return jdbc.sql("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = :owner")
                .param("owner", owner).update();
    }

    /** Jobs waiting for a backend to pick them up, by backend (the local queue depth gauge reads it). */
    public long countQueued(String backend) {
        return jdbc.sql("SELECT COUNT(*) FROM jobs WHERE phase = 'queued' AND backend = :backend")
                .param("backend", backend).query(Long.class).single();
    }

    /** Jobs waiting under a spent budget ({@link JobPhase#BUDGET_QUEUED}), all tenants. */
    public long countBudgetQueued() {
        return jdbc.sql("SELECT COUNT(*) FROM jobs WHERE phase = 'budget_queued'").query(Long.class).single();
    }

    public long countJobs() {
        return jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single();
    }

    /** Events of some jobs after per-job cursors; ids are gap-free per job because a job's writes are serial. */
    public List<JobEvent> eventsAfter(Collection<String> jobIds, long afterId, int limit) {
        if (jobIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT id, job_id, tenant, type, status, payload, created_at FROM job_events"
                        + " WHERE job_id IN (:ids) AND id > :after ORDER BY id LIMIT :limit")
                .param("ids", List.copyOf(jobIds)).param("after", afterId).param("limit", limit)
                .query((rs, n) -> new JobEvent(rs.getLong("id"), rs.getString("job_id"), rs.getString("tenant"),
                        rs.getString("type"), rs.getString("status"), rs.getString("payload"),
                        instant(rs, "created_at")))
                .list();
    }

    /** Whether every column {@link #NEW_JOB_ROW} writes as a constant holds that constant in {@code job}. */
    private static boolean isNew(Job job) {
        return job.taskId() == null && job.progress() == 0 && job.actualUsd() == null && job.resultKey() == null
                && job.resultSize() == null && job.resultSha256() == null && job.errorCode() == null
                && job.errorMessage() == null && !job.cancelRequested() && !job.deleted() && job.attempts() == 0
                && job.polls() == 0 && job.leaseOwner() == null && job.leaseExpiresAt() == null
                && job.completedAt() == null && job.submittedAt() == null && job.version() == 0;
    }

    /** The values of {@link #NEW_JOB_COLUMNS} that {@link #NEW_JOB_ROW} binds, in its order. */
    private void addNewJobValues(Job job, List<Object> params) {
        params.add(job.id());
        params.add(job.tenant());
        params.add(job.status().wire());
        params.add(job.phase().wire());
        params.add(job.requestedModel());
        params.add(job.backend());
        params.add(job.model());
        params.add(job.candidateIndex());
        params.add(job.spec().prompt());
        params.add(job.spec().seconds());
        params.add(job.spec().size() == null ? null : job.spec().size().toString());
        params.add(json.writeValueAsString(StoredSpec.of(job.spec())));
        params.add(routeJson(job.route()));
        params.add(job.estimateUsd());
        params.add(ts(job.nextAttemptAt()));
        params.add(ts(job.createdAt()));
        params.add(ts(job.updatedAt()));
    }

    private Map<String, Object> row(Job job) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", job.id());
        p.put("tenant", job.tenant());
        p.put("status", job.status().wire());
        p.put("phase", job.phase().wire());
        p.put("requested_model", job.requestedModel());
        p.put("backend", job.backend());
        p.put("model", job.model());
        p.put("candidate_index", job.candidateIndex());
        p.put("prompt", job.spec().prompt());
        p.put("seconds", job.spec().seconds());
        p.put("size", job.spec().size() == null ? null : job.spec().size().toString());
        p.put("spec_json", json.writeValueAsString(StoredSpec.of(job.spec())));
        p.put("route_json", routeJson(job.route()));
        p.put("task_id", job.taskId());
        p.put("progress", job.progress());
        p.put("estimate_usd", job.estimateUsd());
        p.put("actual_usd", job.actualUsd());
        p.put("result_key", job.resultKey());
        p.put("result_size", job.resultSize());
        p.put("result_sha256", job.resultSha256());
        p.put("error_code", job.errorCode());
        p.put("error_message", job.errorMessage());
        p.put("cancel_requested", job.cancelRequested());
        p.put("deleted", job.deleted());
        p.put("attempts", job.attempts());
        p.put("polls", job.polls());
        p.put("lease_owner", job.leaseOwner());
        p.put("lease_expires_at", ts(job.leaseExpiresAt()));
        p.put("next_attempt_at", ts(job.nextAttemptAt()));
        p.put("created_at", ts(job.createdAt()));
        p.put("updated_at", ts(job.updatedAt()));
        p.put("completed_at", ts(job.completedAt()));
        p.put("submitted_at", ts(job.submittedAt()));
        p.put("version", job.version());
        return p;
    }

    String routeJson(JobRoute route) {
        return json.writeValueAsString(route);
    }

    private Job map(ResultSet rs, int rowNum) throws SQLException {
        long resultSize = rs.getLong("result_size");
        Long size = rs.wasNull() ? null : resultSize;
        return new Job(
                rs.getString("id"),
                rs.getString("tenant"),
                JobStatus.fromWire(rs.getString("status")),
                JobPhase.fromWire(rs.getString("phase")),
                rs.getString("requested_model"),
                rs.getString("backend"),
                rs.getString("model"),
                rs.getInt("candidate_index"),
                json.readValue(rs.getString("spec_json"), StoredSpec.class).toSpec(),
                json.readValue(rs.getString("route_json"), JobRoute.class),
                rs.getString("task_id"),
                rs.getInt("progress"),
                rs.getBigDecimal("estimate_usd"),
                rs.getBigDecimal("actual_usd"),
                rs.getString("result_key"),
                size,
                rs.getString("result_sha256"),
                rs.getString("error_code"),
                rs.getString("error_message"),
                rs.getBoolean("cancel_requested"),
                rs.getBoolean("deleted"),
                rs.getInt("attempts"),
                rs.getInt("polls"),
                rs.getString("lease_owner"),
                instant(rs, "lease_expires_at"),
                instant(rs, "next_attempt_at"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "completed_at"),
                instant(rs, "submitted_at"),
                rs.getLong("version"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Columns to set in one write; names come from code, never from input. */
    public final class Changes {

        private final Map<String, Object> values = new LinkedHashMap<>();

        private Changes put(String column, Object value) {
            values.put(column, value);
            return this;
        }

        public Changes backend(String backend, String model, int candidateIndex) {
            return put("backend", backend).put("model", model).put("candidate_index", candidateIndex);
        }

        public Changes route(JobRoute route) {
            return put("route_json", routeJson(route));
        }

        public Changes taskId(String taskId) {
            return put("task_id", taskId);
        }

        public Changes progress(int progress) {
            return put("progress", Math.max(0, Math.min(100, progress)));
        }

        public Changes estimateUsd(java.math.BigDecimal amount) {
            return put("estimate_usd", amount);
        }

        public Changes actualUsd(java.math.BigDecimal amount) {
            return put("actual_usd", amount);
        }

        public Changes result(String key, long size, String sha256) {
            return put("result_key", key).put("result_size", size).put("result_sha256", sha256);
        }

        public Changes error(String code, String message) {
            String cut = message == null ? null : message.length() > 1000 ? message.substring(0, 1000) : message;
            return put("error_code", code).put("error_message", cut);
        }

        public Changes cancelRequested() {
            return put("cancel_requested", true);
        }

        public Changes deleted() {
            return put("deleted", true);
        }

        public Changes attempts(int attempts) {
            return put("attempts", attempts);
        }

        /** When a submission starts; reconciliation of a lost answer is bounded from here. */
        public Changes submittedAt(Instant when) {
            return put("submitted_at", ts(when));
        }

        public Changes polls(int polls) {
            return put("polls", polls);
        }

        public Changes nextAttemptAt(Instant when) {
            return put("next_attempt_at", ts(when));
        }

        /** Hands the job to whoever claims it next (used when the next candidate's backend is served elsewhere). */
        public Changes releaseLease() {
            return put("lease_owner", null).put("lease_expires_at", null);
        }
    }
}
