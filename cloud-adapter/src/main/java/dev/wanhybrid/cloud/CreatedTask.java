package dev.wanhybrid.cloud;

/** The answer to a create request: the new task's id and first status. */
public record CreatedTask(String taskId, TaskStatus status, String requestId) {}
