package dev.wanhybrid.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A failure to report to the caller in the OpenAI error envelope: HTTP status, error type, the request field at
 * fault and a stable code.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Long retryAfterSeconds;
    private final String dashScopeCode;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(HttpStatus status, String type, String param, String code, String message,
            Long retryAfterSeconds, String dashScopeCode) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.dashScopeCode = dashScopeCode;
    }

    public ApiException(HttpStatus status, String type, String param, String code, String message,
            Long retryAfterSeconds) {
        this(status, type, param, code, message, retryAfterSeconds, null);
    }

    public ApiException(HttpStatus status, String type, String param, String code, String message) {
        this(status, type, param, code, message, null);
    }

    /** A 400 {@code invalid_request_error} naming the field. */
    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, ApiError.INVALID_REQUEST, param, code, message);
    }

    /** The 404 answered for a missing job and for another tenant's job alike, so ids cannot be probed. */
    public static ApiException videoNotFound(String id) {
        return new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST, "id", "video_not_found",
                "No video found with id '" + ApiError.printable(id) + "'.");
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /**
     * DashScope's code for this failure when it is answered on the DashScope routes, or {@code null} to derive
     * it from the status ({@link ProtocolErrors#dashScopeCode(int)}).
     */
    public String dashScopeCode() {
        return dashScopeCode;
    }

    /**
     * Adds a header the answer must carry besides the envelope, such as a 416's {@code Content-Range: bytes *}{@code
     * /N} (RFC 9110, 15.5.17).
     */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The headers added with {@link #withHeader}, in order. */
    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }

    /** Seconds for a {@code Retry-After} header, or {@code null}. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
