package dev.wanhybrid.gateway.webhook;

import dev.wanhybrid.gateway.jobs.JobDependentRecords;
import dev.wanhybrid.gateway.jobs.JobQueries.StoredEvent;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The durable webhook outbox: job events read through the job store's {@link JobQueries}, deliveries in
 * {@code webhook_deliveries}. Instances coordinate only through the database: the delivery's primary key is the
 * event id, so an event is queued once; a conditional update with a lease decides which instance sends it. The
 * deliveries of a job go with it when retention deletes the job.
 */
public class WebhookOutbox implements JobDependentRecords, EventScan.Source {

    /** A queued delivery. */
    public record Delivery(long eventId, String jobId, String tenant, String eventType, String url, String body,
            int attempts) {}

    private final JdbcTemplate jdbc;
    private final JobQueries jobs;

    /** @param jobs where the job events are read (the job store owns {@code job_events}) */
    public WebhookOutbox(DataSource dataSource, JobQueries jobs) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jobs = jobs;
    }

    @Override
    public int deleteForJobs(List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return 0;
        }
        return new NamedParameterJdbcTemplate(jdbc).update("DELETE FROM webhook_deliveries WHERE job_id IN (:ids)",
                java.util.Map.of("ids", jobIds));
    }

    public long cursor() {
        Long value = jdbc.queryForObject("SELECT last_event_id FROM webhook_cursor WHERE name = 'job_events'",
                Long.class);
        return value == null ? 0 : value;
    }

    /** Events after {@code afterId}, oldest first, with their job's stored request. */
    @Override
    public List<StoredEvent> eventsAfter(long afterId, int limit) {
        return jobs.eventsAfter(afterId, limit);
    }

    @Override
    public List<StoredEvent> eventsWithIds(Collection<Long> ids) {
        return jobs.eventsWithIds(ids);
    }

    /** Moves the cursor forward, never back (another instance may have moved it further). */
    public void advanceCursor(long to) {
        jdbc.update("UPDATE webhook_cursor SET last_event_id = ? WHERE name = 'job_events' AND last_event_id < ?",
                to, to);
    }

    /** Queues a delivery; {@code false} when the event was already queued (by this or another instance). */
    public boolean enqueue(StoredEvent event, String url, String body, Instant now) {
        try {
            jdbc.update("""
                    INSERT INTO webhook_deliveries (event_id, job_id, tenant, event_type, url, body, status, attempts,
                        next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""",
                    event.id(), event.jobId(), event.tenant(), event.type(), url, body, at(now), at(now));
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /**
     * Claims up to {@code limit} due deliveries for {@code owner} until {@code leaseUntil}. A delivery another
     * instance holds under an unexpired lease is left alone.
     */
    public List<Delivery> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        List<Long> due = jdbc.queryForList("""
                SELECT event_id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                ORDER BY event_id LIMIT ?""", Long.class, at(now), at(now), limit);
        List<Delivery> claimed = new ArrayList<>();
        for (long id : due) {
            int won = jdbc.update("""
                    UPDATE webhook_deliveries SET lease_owner = ?, lease_expires_at = ?
                    WHERE event_id = ? AND status = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at < ?)""",
                    owner, at(leaseUntil), id, at(now));
            if (won == 1) {
                claimed.add(jdbc.queryForObject("""
                        SELECT event_id, job_id, tenant, event_type, url, body, attempts
                        FROM webhook_deliveries WHERE event_id = ?""",
                        (rs, n) -> new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getInt(7)),
                        id));
            }
        }
        return claimed;
    }

    public void delivered(long eventId, String owner, int httpStatus, Instant now) {
        jdbc.update("""
                UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?,
                    last_error = NULL, delivered_at = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE event_id = ? AND lease_owner = ?""", httpStatus, at(now), eventId, owner);
    }

    /** Records a failed attempt; {@code nextAttempt == null} gives the delivery up. */
    public void failed(long eventId, String owner, Integer httpStatus, String error, Instant nextAttempt) {
        String trimmed = error == null ? null : error.length() > 500 ? error.substring(0, 500) : error;
        jdbc.update("""
                UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
                    next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL
                WHERE event_id = ? AND lease_owner = ?""",
                nextAttempt == null ? "failed" : "pending", httpStatus, trimmed,
                nextAttempt == null ? null : at(nextAttempt), eventId, owner);
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
