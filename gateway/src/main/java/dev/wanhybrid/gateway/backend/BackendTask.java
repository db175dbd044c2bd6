package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.time.Instant;

/**
 * One unit of work for a backend: the job's id (stable across retries, used as an idempotency token where the
 * provider supports one), the concrete catalog model chosen by the router, and the request.
 *
 * @param dueBy when the job must be finished: its submission plus {@code routing.deadline_seconds}; {@code null}
 *     without a deadline. The local backend orders its queue by it.
 * @param submittedAt when the job last started a submission (persisted with the job, so reconciliation after a
 *     restart knows where to look in the provider's task list), or {@code null} before the first one
 * @param hedgeAt for a hedged local run, its hedge point (it may leave for the cloud then, so it is never suspended
 *     for another job); {@code null} otherwise
 * @param preempts a local task the router chose to suspend for this one ({@code gateway.routing.preemption}): the
 *     local backend asks it to stop at its next step boundary once this task is queued; {@code null} for none
 */
public record BackendTask(String jobId, String model, GenerationSpec spec, Instant dueBy, Instant submittedAt,
        Instant hedgeAt, String preempts) {

    /** A task without a deadline, before its first submission. */
    public BackendTask(String jobId, String model, GenerationSpec spec) {
        this(jobId, model, spec, null, null);
    }

    /** A task that is not hedged and suspends nothing. */
    public BackendTask(String jobId, String model, GenerationSpec spec, Instant dueBy, Instant submittedAt) {
        this(jobId, model, spec, dueBy, submittedAt, null, null);
    }
}
