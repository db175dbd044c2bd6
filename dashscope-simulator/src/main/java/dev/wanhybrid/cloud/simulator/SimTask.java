package dev.wanhybrid.cloud.simulator;

import dev.wanhybrid.cloud.TaskStatus;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.CloudModel;
import java.time.Instant;

/** One task the simulator holds; its state is computed from the clock, so no thread moves it along. */
final class SimTask {

    final String id;
    final CloudModel model;
    final String wireModel;
    final VideoRequest request;
    final String tier;
    final int seconds;
    /** Seconds of input video billed beside the output (reference videos, the edited video); 0 for most. */
    final int inputVideoSeconds;
    final Instant submitTime;
    final Instant scheduledTime;
    /** {@code null} for a stuck task. */
    final Instant endTime;
    final String failureCode;
    final String failureMessage;
    final String resultToken;
    volatile Instant canceledAt;

    SimTask(String id, CloudModel model, String wireModel, VideoRequest request, String tier, int seconds,
            int inputVideoSeconds, Instant submitTime, Instant scheduledTime, Instant endTime, String failureCode, String failureMessage,
            String resultToken) {
        this.id = id;
        this.model = model;
        this.wireModel = wireModel;
        this.request = request;
        this.tier = tier;
        this.seconds = seconds;
        this.inputVideoSeconds = inputVideoSeconds;
        this.submitTime = submitTime;
        this.scheduledTime = scheduledTime;
        this.endTime = endTime;
        this.failureCode = failureCode;
        this.failureMessage = failureMessage;
        this.resultToken = resultToken;
    }

    TaskStatus statusAt(Instant now, java.time.Duration ttl) {
        if (!now.isBefore(submitTime.plus(ttl))) {
            return TaskStatus.UNKNOWN;
        }
        if (canceledAt != null) {
            return TaskStatus.CANCELED;
        }
        if (now.isBefore(scheduledTime)) {
            return TaskStatus.PENDING;
        }
        if (endTime == null || now.isBefore(endTime)) {
            return TaskStatus.RUNNING;
        }
        return failureCode == null ? TaskStatus.SUCCEEDED : TaskStatus.FAILED;
    }

    boolean inProgressAt(Instant now, java.time.Duration ttl) {
        TaskStatus s = statusAt(now, ttl);
        return s == TaskStatus.PENDING || s == TaskStatus.RUNNING;
    }
}
