package dev.wanhybrid.gateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The OpenAI error envelope, {@code {"error": {"message", "type", "param", "code"}}}, which the official SDKs
 * turn into typed exceptions; keep it exact.
 */
public record ApiError(Body error) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String PERMISSION = "permission_error";
    public static final String RATE_LIMIT = "rate_limit_error";
    public static final String INSUFFICIENT_QUOTA = "insufficient_quota";
    public static final String SERVER = "server_error";
    public static final String SERVICE_UNAVAILABLE = "service_unavailable";

    /** The inner object; {@code param} and {@code code} are present and {@code null} when they do not apply. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Body(String message, String type, String param, String code) {}

    public static ApiError of(String message, String type, String param, String code) {
        return new ApiError(new Body(message, type, param, code));
    }

    public static ApiError of(ApiException e) {
        return of(e.getMessage(), e.type(), e.param(), e.code());
    }

    /** Caller text echoed in a message, cut short and stripped of control characters. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
