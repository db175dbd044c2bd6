package dev.wanhybrid.gateway.dashscope;

import dev.wanhybrid.gateway.web.ProtocolErrors;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every failure of the DashScope facade's controller in DashScope's own shape, {@code {request_id, code, message}},
 * with the codes DashScope documents; failures outside the controller (unknown paths, container errors) take the
 * same shape through {@link ProtocolErrors}.
 */
@RestControllerAdvice(assignableTypes = DashScopeFacadeController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashScopeFacadeAdvice {

    private static final Logger log = LoggerFactory.getLogger(DashScopeFacadeAdvice.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ExceptionHandler(DashScopeError.class)
    ResponseEntity<Map<String, Object>> error(DashScopeError e) {
        ResponseEntity<Map<String, Object>> answer = body(e.status(), e.code(), e.getMessage());
        return e.retryAfterSeconds() == null ? answer : ResponseEntity.status(answer.getStatusCode())
                .headers(answer.getHeaders()).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString())
                .body(answer.getBody());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return body(400, "InvalidParameter", "Content-Type must be application/json");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return body(405, "MethodNotAllowed", "Method " + e.getMethod() + " is not supported here");
    }

    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<Map<String, Object>> undecodable(Exception e) {
        return body(400, "InvalidParameter", "The query string could not be decoded: every %-escape must be two"
                + " hex digits and together form UTF-8");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        log.warn("DashScope facade failed unexpectedly", e);
        return body(500, "InternalError", "An internal error has occured, please try again later.");
    }

    static ResponseEntity<Map<String, Object>> body(int status, String code, String message) {
        return ResponseEntity.status(HttpStatus.valueOf(status)).contentType(MediaType.APPLICATION_JSON)
                .body(ProtocolErrors.dashScopeBody(code, message));
    }

    /** For filters, where no advice runs. */
    static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(ProtocolErrors.dashScopeBody(code, message)));
    }
}
