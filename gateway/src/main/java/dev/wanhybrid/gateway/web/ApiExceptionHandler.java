package dev.wanhybrid.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every failure answers in the shape of the path's protocol ({@link ProtocolErrors}): the OpenAI envelope under
 * {@code /v1}, DashScope's under {@code /api/v1}, problem details elsewhere; never a stack trace, never a 500 for
 * the caller's mistake.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<?> api(ApiException e, HttpServletRequest request) {
        return envelope(e, request);
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<?> uploadTooLarge(MaxUploadSizeExceededException e, HttpServletRequest request) {
        // The create request's file is input_reference; a character's (and an edit's) is video.
        String uri = request.getRequestURI();
        String param = uri != null && (uri.endsWith("/characters") || uri.endsWith("/edits")) ? "video"
                : "input_reference";
        return envelope(new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiError.INVALID_REQUEST, param,
                "request_too_large", "The upload is larger than the limit."), request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<?> multipart(MultipartException e, HttpServletRequest request) {
        return envelope(ApiException.invalid(null, "invalid_multipart",
                "The multipart/form-data body could not be read."), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<?> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        return envelope(ApiException.invalid(null, "invalid_json", "We could not parse the body of your request."),
                request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<?> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return envelope(new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                "unsupported_media_type", "Send the request as application/json or multipart/form-data."), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<?> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return envelope(new ApiException(HttpStatus.METHOD_NOT_ALLOWED, ApiError.INVALID_REQUEST, null,
                "method_not_allowed", "Method " + e.getMethod() + " is not allowed here."), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<?> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return envelope(ApiException.invalid(e.getName(), "invalid_type", e.getName() + " has the wrong type."),
                request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<?> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return envelope(ApiException.invalid(e.getParameterName(), "missing_required_parameter",
                "Missing required parameter: '" + e.getParameterName() + "'."), request);
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<?> missingHeader(MissingRequestHeaderException e, HttpServletRequest request) {
        return envelope(ApiException.invalid(e.getHeaderName(), "missing_required_header",
                "Missing required header: " + e.getHeaderName() + "."), request);
    }

    @ExceptionHandler(ServletRequestBindingException.class)
    ResponseEntity<?> binding(ServletRequestBindingException e, HttpServletRequest request) {
        // A missing tenant attribute means the authentication filter did not run for this path.
        return envelope(new ApiException(HttpStatus.UNAUTHORIZED, ApiError.INVALID_REQUEST, null, "missing_api_key",
                "You didn't provide an API key."), request);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<?> noResource(NoResourceFoundException e, HttpServletRequest request) {
        return envelope(new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST, null, "unknown_url",
                "Unrecognized request URL (" + request.getMethod() + " " + ApiError.printable(request.getRequestURI())
                        + ")."), request);
    }

    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        // The client closed the connection (a streamed download or SSE); there is nobody left to answer.
    }

    /**
     * The container could not decode a query parameter (an escape such as {@code %ff} that is not UTF-8, or a
     * bare {@code %}); Tomcat reports it lazily, when the first parameter is read.
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<?> undecodableParameter(Exception e, HttpServletRequest request) {
        return envelope(ApiException.invalid(null, "invalid_query_string",
                "The query string could not be decoded: every %-escape must be two hex digits and together form"
                        + " UTF-8."), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<?> unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return envelope(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, ApiError.SERVER, null, "internal_error",
                "The server had an error while processing your request."), request);
    }

    private static ResponseEntity<?> envelope(ApiException e, HttpServletRequest request) {
        return ProtocolErrors.entity(e, request.getRequestURI().substring(request.getContextPath().length()));
    }
}
