package dev.wanhybrid.gateway.dashscope;

/** A failure on the DashScope-compatible routes, answered as {@code {request_id, code, message}} with its status. */
class DashScopeError extends RuntimeException {

    private final int status;
    private final String code;

    DashScopeError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static DashScopeError invalid(String message) {
        return new DashScopeError(400, "InvalidParameter", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
