package dev.wanhybrid.gateway.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The read-only questions other packages ask of the job store, so that the {@code jobs} and {@code job_events}
 * tables are read only here and in {@link JobStore}: recent finished jobs (routing's latency model), the cluster's
 * waiting and leased work (the fleet), and the event log with each job's stored request (webhooks).
 */
@Repository
public class JobQueries {

    /** A job that finished: what it made and how long it took from acceptance to completion. */
    public record FinishedJob(String model, int seconds, Instant createdAt, Instant completedAt) {}

    /** A job event from {@code job_events}, with the job's stored request. */
    /**
     * An event as the webhook sender reads it.
     *
     * @param payload the event's object; {@code null} when the job names no webhook
     * @param specJson the job's stored request; {@code null} when it names no webhook
     */
    public record StoredEvent(long id, String jobId, String tenant, String type, String payload, Instant createdAt,
            String specJson) {}

    /**
     * Events with their job's stored request, for the webhook sender. Most jobs name no webhook, and their stored
     * spec has no {@code webhook_url} key (JobStore leaves null fields out): for those the payload and the spec are
     * not sent back ({@code null}), since the sender skips them anyway. A key always appears quoted, so no job with
     * a webhook is left out; a spec that merely mentions the name is sent back and read as before.
     */
    private static final String EVENTS = """
            SELECT e.id, e.job_id, e.tenant, e.type,
                   CASE WHEN j.spec_json LIKE '%"webhook_url"%' THEN e.payload END,
                   e.created_at,
                   CASE WHEN j.spec_json LIKE '%"webhook_url"%' THEN j.spec_json END
            FROM job_events e JOIN jobs j ON j.id = e.job_id""";

    private final JdbcClient jdbc;

    public JobQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Jobs of one backend completed at or after {@code since}, newest first, at most {@code limit}. */
    public List<FinishedJob> completedSince(String backend, Instant since, int limit) {
        return jdbc.sql("""
                SELECT model, seconds, created_at, completed_at FROM jobs
                WHERE backend = :backend AND status = 'completed' AND completed_at >= :since
                ORDER BY completed_at DESC LIMIT :limit""")
                .param("backend", backend).param("since", since.atOffset(ZoneOffset.UTC)).param("limit", limit)
                .query((rs, n) -> new FinishedJob(rs.getString(1), rs.getInt(2), instant(rs, 3), instant(rs, 4)))
                .list();
    }

    /** Jobs of one backend, cluster-wide, that no worker has handed to an engine yet. */
    public long waiting(String backend) {
        return jdbc.sql("SELECT COUNT(*) FROM jobs WHERE backend = :backend AND phase IN ('queued', 'submitting')")
                .param("backend", backend).query(Long.class).single();
    }

    /** Unfinished jobs of one backend leased by one owner (claimed, submitted or running there). */
    public long activeLeasedBy(String owner, String backend) {
        return jdbc.sql("SELECT COUNT(*) FROM jobs WHERE lease_owner = :owner AND backend = :backend AND phase IN "
                        + JobStore.ACTIVE_PHASES)
                .param("owner", owner).param("backend", backend).query(Long.class).single();
    }

    /** Events after {@code afterId}, oldest first, at most {@code limit}, joined with their job's stored request. */
    public List<StoredEvent> eventsAfter(long afterId, int limit) {
        return jdbc.sql(EVENTS + " WHERE e.id > :after ORDER BY e.id LIMIT :limit")
                .param("after", afterId).param("limit", limit)
                .query(JobQueries::storedEvent)
                .list();
    }

    /** Those of the events {@code ids} that are visible now, oldest first, joined with their job's stored request. */
    public List<StoredEvent> eventsWithIds(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(EVENTS + " WHERE e.id IN (:ids) ORDER BY e.id")
                .param("ids", List.copyOf(ids))
                .query(JobQueries::storedEvent)
                .list();
    }

    private static StoredEvent storedEvent(ResultSet rs, int row) throws SQLException {
        return new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                instant(rs, 6), rs.getString(7));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
