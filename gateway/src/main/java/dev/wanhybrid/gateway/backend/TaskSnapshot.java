package dev.wanhybrid.gateway.backend;

import java.math.BigDecimal;
import java.net.URI;

/**
 * A backend's view of one task at one moment.
 *
 * @param taskId the backend's task id
 * @param state the backend state
 * @param progress 0..100, or {@code -1} when the backend does not report it
 * @param resultLocation where the finished MP4 can be read from (a signed URL or a file), when succeeded
 * @param billedSeconds seconds of output the provider bills, from its usage block (cloud) or {@code null}
 * @param gpuSeconds measured GPU time (local) or {@code null}
 * @param errorCode provider or engine error code when failed, else {@code null}
 * @param errorMessage human-readable failure reason when failed, else {@code null}
 */
public record TaskSnapshot(
        String taskId,
        State state,
        int progress,
        URI resultLocation,
        BigDecimal billedSeconds,
        BigDecimal gpuSeconds,
        String errorCode,
        String errorMessage) {

    /** Backend task states, a superset of DashScope's. */
    public enum State {
        PENDING,
        RUNNING,
        SUCCEEDED,
        FAILED,
        CANCELED,
        /** No such task (never existed, expired, or lost with a restarted process). */
        UNKNOWN;

        public boolean isTerminal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELED;
        }
    }
}
