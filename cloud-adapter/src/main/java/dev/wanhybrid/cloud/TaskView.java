package dev.wanhybrid.cloud;

import java.net.URI;
import java.time.Instant;

/**
 * What a task query returned.
 *
 * @param taskId DashScope's task id
 * @param status the task state ({@code FAILED} also when HTTP said 200)
 * @param submitTime when it was submitted (read as UTC+8), or {@code null}
 * @param scheduledTime when it started running, or {@code null}
 * @param endTime when it finished, or {@code null}
 * @param videoUrl the signed result URL (valid 24 h) when succeeded
 * @param origPrompt the prompt as sent, when reported
 * @param actualPrompt the rewritten prompt, when the service extended it
 * @param code the failure code when failed
 * @param message the failure message when failed
 * @param usage the usage block, or {@code null}
 * @param requestId the request id of the query
 */
public record TaskView(String taskId, TaskStatus status, Instant submitTime, Instant scheduledTime, Instant endTime,
        URI videoUrl, String origPrompt, String actualPrompt, String code, String message, Usage usage,
        String requestId) {

    /** The category of this task's failure; meaningful when {@link #status()} is {@code FAILED}. */
    public ErrorCategory failureCategory() {
        return ErrorCategory.of(200, code);
    }
}
