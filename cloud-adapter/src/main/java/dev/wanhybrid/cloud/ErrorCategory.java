package dev.wanhybrid.cloud;

/** What a DashScope error means for the caller: whether and how to try again. */
public enum ErrorCategory {
    /** A transient failure (timeouts, 5xx, outages); the same call may succeed later. */
    RETRYABLE,
    /** A rate or quota limit; wait for the advised time, then try again. */
    THROTTLED,
    /** The request is wrong for the model; retrying cannot help. */
    INVALID_INPUT,
    /** The key is missing or rejected, or the account may not use the model. */
    AUTH,
    /** Content moderation rejected the input or the output. */
    CONTENT_POLICY,
    /** Anything else. */
    UNKNOWN;

    /** Classifies an error by HTTP status and DashScope code. */
    public static ErrorCategory of(int httpStatus, String code) {
        String c = code == null ? "" : code;
        if (c.startsWith("DataInspection") || c.equals("IPInfringementSuspect")) {
            return CONTENT_POLICY;
        }
        if (httpStatus == 429 || c.startsWith("Throttling")) {
            return THROTTLED;
        }
        if (httpStatus == 401 || httpStatus == 403 || c.equals("InvalidApiKey") || c.startsWith("AccessDenied")
                || c.equals("Arrearage")) {
            return AUTH;
        }
        if (httpStatus == 408 || httpStatus >= 500 || c.startsWith("InternalError") || c.equals("RequestTimeOut")
                || c.equals("ModelUnavailable")) {
            return RETRYABLE;
        }
        if (httpStatus == 400 || httpStatus == 404 || httpStatus == 413 || c.equals("InvalidParameter")
                || c.equals("InvalidURL") || c.startsWith("BadRequest") || c.equals("ModelNotFound")) {
            return INVALID_INPUT;
        }
        return UNKNOWN;
    }
}
