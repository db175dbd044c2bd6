package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Serves a stored object whole (200) or the one byte range a {@code Range} header names (206 with
 * {@code Content-Range}), streamed from the {@link ResultStore}; anything else in the header is a 416 with
 * {@code Content-Range: bytes *}{@code /<size>}, as RFC 9110 asks. Multiple
 * ranges are refused rather than answered as {@code multipart/byteranges}.
 */
final class ByteRangeResponder {

    private final ResultStore results;

    ByteRangeResponder(ResultStore results) {
        this.results = results;
    }

    /**
     * @param range the {@code Range} header, or {@code null} for the whole object
     * @throws ApiException 416 {@code range_not_satisfiable} for a range this does not serve
     */
    ResponseEntity<StreamingResponseBody> respond(StoredObject object, String range, MediaType type,
            ContentDisposition disposition) {
        long total = object.size();
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        headers.setETag("\"" + object.sha256() + "\"");
        Span span = span(range, total);
        if (span.partial()) {
            headers.set(HttpHeaders.CONTENT_RANGE, span.contentRange(total));
        }
        headers.setContentLength(span.length());
        headers.setContentType(type);
        headers.setContentDisposition(disposition);
        String key = object.key();
        StreamingResponseBody body = (OutputStream out) -> {
            try (InputStream in = results.open(key, span.start(), span.length())) {
                in.transferTo(out);
            }
        };
        return new ResponseEntity<>(body, headers, span.partial() ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK);
    }

    /**
     * The bytes to send of an object of {@code total} bytes: all of them without a {@code Range} header, else the
     * one satisfiable range it names.
     *
     * @throws ApiException 416 for a malformed header, more than one range, or a range outside the object
     */
    static Span span(String range, long total) {
        if (range == null) {
            return new Span(0, total, false);
        }
        List<HttpRange> ranges;
        try {
            ranges = HttpRange.parseRanges(range);
        } catch (IllegalArgumentException e) {
            ranges = List.of();
        }
        if (ranges.size() != 1) {
            throw rangeNotSatisfiable(total);
        }
        HttpRange only = ranges.getFirst();
        long start;
        long length;
        try {
            start = only.getRangeStart(total);
            long end = only.getRangeEnd(total);
            if (start >= total || end < start) {
                throw rangeNotSatisfiable(total);
            }
            length = end - start + 1;
        } catch (IllegalArgumentException e) {
            throw rangeNotSatisfiable(total);
        }
        return new Span(start, length, true);
    }

    private static ApiException rangeNotSatisfiable(long total) {
        return new ApiException(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, ApiError.INVALID_REQUEST, "Range",
                "range_not_satisfiable", "The Range header must name one range inside the " + total + " bytes.")
                .withHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + total);
    }

    /** {@code length} bytes from {@code start}; {@code partial} when they answer a Range header (206). */
    record Span(long start, long length, boolean partial) {

        String contentRange(long total) {
            return "bytes " + start + "-" + (start + length - 1) + "/" + total;
        }
    }
}
