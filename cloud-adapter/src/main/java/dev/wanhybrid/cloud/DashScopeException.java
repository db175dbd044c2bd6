package dev.wanhybrid.cloud;

import java.time.Duration;

/**
 * A DashScope call that failed: the provider's code and message, its category, the advised wait, and whether a
 * create request may nevertheless have created a task.
 */
public class DashScopeException extends Exception {

    private final ErrorCategory category;
    private final int httpStatus;
    private final String code;
    private final String requestId;
    private final String field;
    private final Duration retryAfter;
    private final boolean acceptanceUnknown;

    public DashScopeException(ErrorCategory category, int httpStatus, String code, String message, String requestId,
            String field, Duration retryAfter, boolean acceptanceUnknown, Throwable cause) {
        super(message, cause);
        this.category = category;
        this.httpStatus = httpStatus;
        this.code = code;
        this.requestId = requestId;
        this.field = field;
        this.retryAfter = retryAfter;
        this.acceptanceUnknown = acceptanceUnknown;
    }

    /** A request refused before sending because the catalog forbids it; no call was made. */
    public static DashScopeException invalid(String code, String field, String message) {
        return new DashScopeException(ErrorCategory.INVALID_INPUT, 400, code, message, null, field, null, false,
                null);
    }

    public ErrorCategory category() {
        return category;
    }

    /** The HTTP status, or {@code 0} when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** DashScope's error code ({@code InvalidParameter}, {@code Throttling.RateQuota}, ...), or {@code null}. */
    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }

    /** The request field at fault when known ({@code parameters.size}), else {@code null}. */
    public String field() {
        return field;
    }

    /** The wait the service advised (Retry-After), or {@code null}. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * True when a create request was sent but its answer was lost, so a task may exist; reconcile instead of
     * sending it again.
     */
    public boolean acceptanceUnknown() {
        return acceptanceUnknown;
    }

    /** True when the same call may succeed later. */
    public boolean isRetryable() {
        return !acceptanceUnknown && (category == ErrorCategory.RETRYABLE || category == ErrorCategory.THROTTLED);
    }
}
