package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.GenerationSpec;
import java.time.Instant;

/**
 * One unit of work for a backend: the job's id (stable across retries, used as an idempotency token where the
 * provider supports one), the concrete catalog model chosen by the router, the request, and when the job must be
 * finished ({@code dueBy}: its submission plus {@code routing.deadline_seconds}; {@code null} without a deadline),
 * by which the local backend orders its queue.
 */
public record BackendTask(String jobId, String model, GenerationSpec spec, Instant dueBy) {

    /** A task without a deadline. */
    public BackendTask(String jobId, String model, GenerationSpec spec) {
        this(jobId, model, spec, null);
    }
}
