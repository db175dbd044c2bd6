package dev.wanhybrid.cloud.tracking;

import dev.wanhybrid.cloud.DashScopeException;
import dev.wanhybrid.cloud.TaskView;
import dev.wanhybrid.cloud.VideoRequest;

/** What a {@link TaskTracker} reports about one task; called on the tracker's thread, so keep it short. */
public interface TaskListener {

    /** The create succeeded; the task is now polled. */
    default void onCreated(VideoRequest request, String taskId) {}

    /** The task's state was first seen or changed (not called for the final state). */
    default void onChange(TaskView view) {}

    /**
     * The task reached SUCCEEDED, FAILED or CANCELED, or stayed UNKNOWN (expired or lost); tracking stops.
     * Copy a succeeded task's video now: its URL dies after 24 hours.
     */
    void onFinished(TaskView view);

    /**
     * The create failed for good: invalid input, auth, content policy, or an answer lost after sending
     * ({@link DashScopeException#acceptanceUnknown()}: a task may exist; it was not resent).
     */
    default void onSubmitFailed(VideoRequest request, DashScopeException error) {}
}
