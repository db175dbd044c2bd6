package dev.wanhybrid.gateway.jobs;

import java.time.Instant;

/**
 * One row of {@code job_events}, written in the same transaction as the job transition it describes.
 *
 * @param type {@code video.queued}, {@code video.in_progress}, {@code video.progress}, {@code video.completed},
 *     {@code video.failed}, {@code video.cancelled}, {@code video.deleted} or {@code video.updated} (an internal
 *     step that changed no public field, such as a fallback to the next candidate)
 * @param status the job's public status after the transition
 * @param payload the video object after the transition, as JSON
 */
public record JobEvent(long id, String jobId, String tenant, String type, String status, String payload,
        Instant createdAt) {

    public boolean isTerminal() {
        return JobStatus.fromWire(status).isTerminal() || type.equals(TYPE_DELETED);
    }

    public static final String TYPE_DELETED = "video.deleted";
    public static final String TYPE_PROGRESS = "video.progress";
    public static final String TYPE_UPDATED = "video.updated";
}
