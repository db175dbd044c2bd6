package dev.wanhybrid.gateway.dashscope;

/**
 * A failure on the DashScope-compatible routes, answered as {@code {request_id, code, message}} with its status
 * and, for a temporary one, {@code Retry-After}.
 */
class DashScopeError extends RuntimeException {

    private final int status;
    private final String code;
    private final Long retryAfterSeconds;

    DashScopeError(int status, String code, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    DashScopeError(int status, String code, String message) {
        this(status, code, message, null);
    }

    /** A 400 {@code InvalidParameter}; the message starts with the field at fault. */
    static DashScopeError invalid(String message) {
        return new DashScopeError(400, "InvalidParameter", message);
    }

    /** A 400 {@code InvalidParameter} naming the field: {@code "input.prompt: must be a string"}. */
    static DashScopeError invalid(String field, String problem) {
        return new DashScopeError(400, "InvalidParameter", field + ": " + problem);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
