package dev.wanhybrid.gateway.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place that knows which error shape a path speaks: the OpenAI envelope under {@code /v1}, DashScope's
 * {@code {request_id, code, message}} under {@code /api/v1}, RFC 9457 problem details anywhere else. Controller
 * advice, servlet filters, the error controller and the container's error report valve all answer through it, so
 * a caller of either API never sees the other's shape, an HTML page or a stack trace.
 */
public final class ProtocolErrors {

    /** The protocol a request path belongs to. */
    public enum Protocol {
        OPENAI,
        DASHSCOPE,
        OTHER;

        /** By the path below the context path (the raw, undecoded form is fine: only the prefix is read). */
        public static Protocol of(String path) {
            if (path == null) {
                return OTHER;
            }
            if (path.equals("/v1") || path.startsWith("/v1/") || path.startsWith("/v1?")) {
                return OPENAI;
            }
            if (path.equals("/api/v1") || path.startsWith("/api/v1/") || path.startsWith("/api/v1?")) {
                return DASHSCOPE;
            }
            return OTHER;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProtocolErrors() {}

    /**
     * DashScope's documented code for an HTTP status, for failures that carry no code of their own (container
     * errors, unknown paths, wrong methods); the facade's own refusals name their code explicitly.
     */
    public static String dashScopeCode(int status) {
        return switch (status) {
            case 401 -> "InvalidApiKey";
            case 403 -> "AccessDenied";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 408 -> "RequestTimeOut";
            case 413 -> "BadRequest.TooLarge";
            case 429 -> "Throttling";
            case 503 -> "ModelUnavailable";
            default -> status >= 500 ? "InternalError" : "InvalidParameter";
        };
    }

    /** DashScope's error body. */
    public static Map<String, Object> dashScopeBody(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", UUID.randomUUID().toString());
        body.put("code", code);
        body.put("message", message);
        return body;
    }

    /**
     * The body of a failure in the path's protocol. On the DashScope routes the field at fault leads the message
     * ({@code "input.prompt: ..."}), since DashScope's shape has no field of its own for it.
     */
    public static Object body(ApiException e, Protocol protocol) {
        return switch (protocol) {
            case OPENAI -> ApiError.of(e);
            case DASHSCOPE -> dashScopeBody(e.dashScopeCode() != null ? e.dashScopeCode()
                    : dashScopeCode(e.status().value()), dashScopeMessage(e));
            case OTHER -> problem(e);
        };
    }

    /** RFC 9457 problem details, as Spring writes them. */
    private static Map<String, Object> problem(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", e.status().getReasonPhrase());
        body.put("status", e.status().value());
        body.put("detail", e.getMessage());
        return body;
    }

    private static String dashScopeMessage(ApiException e) {
        String message = e.getMessage();
        return e.param() == null || message.startsWith(e.param()) ? message : e.param() + ": " + message;
    }

    /** The answer for a controller advice. */
    public static ResponseEntity<Object> entity(ApiException e, String path) {
        Protocol protocol = Protocol.of(path);
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(e.status())
                .contentType(protocol == Protocol.OTHER ? MediaType.APPLICATION_PROBLEM_JSON
                        : MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString());
        }
        e.headers().forEach(builder::header);
        return builder.body(body(e, protocol));
    }

    /** Writes the answer from a filter, the error controller or the container, where no advice runs. */
    public static void write(HttpServletResponse response, ApiException e, String path) throws IOException {
        Protocol protocol = Protocol.of(path);
        response.setStatus(e.status().value());
        if (e.retryAfterSeconds() != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString());
        }
        e.headers().forEach(response::setHeader);
        response.setContentType(protocol == Protocol.OTHER ? MediaType.APPLICATION_PROBLEM_JSON_VALUE
                : MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json(e, protocol));
    }

    /** The body as JSON text. */
    public static String json(ApiException e, Protocol protocol) {
        return JSON.writeValueAsString(body(e, protocol));
    }

    /**
     * The failure a bare HTTP status stands for when nothing more is known (the container refused the request
     * before any code of ours saw it: a malformed URL or escape, an oversized header, an unreadable body).
     */
    public static ApiException forStatus(int status, String detail) {
        HttpStatus http = HttpStatus.resolve(status);
        if (http == null) {
            http = status >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST;
        }
        String text = detail == null || detail.isBlank() ? http.getReasonPhrase() : detail;
        return switch (http) {
            case NOT_FOUND -> new ApiException(http, ApiError.INVALID_REQUEST, null, "unknown_url",
                    "Unrecognized request URL: " + text + ".");
            case METHOD_NOT_ALLOWED -> new ApiException(http, ApiError.INVALID_REQUEST, null, "method_not_allowed",
                    text);
            case PAYLOAD_TOO_LARGE -> new ApiException(http, ApiError.INVALID_REQUEST, null, "request_too_large",
                    "The request is larger than this gateway accepts.");
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> new ApiException(http, ApiError.INVALID_REQUEST, null,
                    "headers_too_large", "The request's headers are larger than this gateway accepts.");
            case UNAUTHORIZED -> new ApiException(http, ApiError.INVALID_REQUEST, null, "invalid_api_key", text);
            case FORBIDDEN -> new ApiException(http, ApiError.PERMISSION, null, "forbidden", text);
            default -> status >= 500
                    ? new ApiException(http, ApiError.SERVER, null, "internal_error",
                            "The server had an error while processing your request.")
                    : new ApiException(http, ApiError.INVALID_REQUEST, null, "invalid_request",
                            "The request could not be read (" + text + "): check the URL's percent-escapes, the"
                                    + " header sizes and the body's encoding.");
        };
    }
}
