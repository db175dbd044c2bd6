package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.time.Instant;

/**
 * One unit of work for a backend: the job's id (stable across retries, used as an idempotency token where the
 * provider supports one), the concrete catalog model chosen by the router, and the request.
 *
 * @param submittedAt when the job last started a submission (persisted with the job, so reconciliation after a
 *     restart knows where to look in the provider's task list), or {@code null} before the first one
 */
public record BackendTask(String jobId, String model, GenerationSpec spec, Instant submittedAt) {

    public BackendTask(String jobId, String model, GenerationSpec spec) {
        this(jobId, model, spec, null);
    }
}
