package dev.wanhybrid.cloud;

import java.time.Instant;

/**
 * One entry of the task list ({@code GET /tasks}), whose body Alibaba documents only loosely.
 *
 * @param taskId the task id
 * @param status its state, or {@code UNKNOWN} when the list does not say
 * @param model the model name, or {@code null}
 * @param createdAt when it was created (read as UTC+8), or {@code null}
 */
public record ListedTask(String taskId, TaskStatus status, String model, Instant createdAt) {}
