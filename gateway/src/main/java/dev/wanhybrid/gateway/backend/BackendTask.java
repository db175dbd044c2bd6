package dev.wanhybrid.gateway.backend;

import dev.wanhybrid.gateway.generation.GenerationSpec;

/**
 * One unit of work for a backend: the job's id (stable across retries, used as an idempotency token where the
 * provider supports one), the concrete catalog model chosen by the router, and the request.
 */
public record BackendTask(String jobId, String model, GenerationSpec spec) {}
