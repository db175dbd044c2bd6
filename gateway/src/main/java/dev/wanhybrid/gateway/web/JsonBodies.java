package dev.wanhybrid.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Reads a JSON request body for both APIs with the same limits: never more than {@code maxBytes} is buffered
 * (a declared {@code Content-Length} over it is refused before a byte is read), the body must be UTF-8 (RFC 8259)
 * and a declared charset must say so, so a body is never read in an encoding other than the one it was sent in.
 */
public final class JsonBodies {

    private JsonBodies() {}

    /** Whether a {@code Content-Type} is JSON ({@code application/json} or {@code *+json}). */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The body as text.
     *
     * @throws ApiException 413 {@code request_too_large}, 415 {@code unsupported_charset}, 400 {@code invalid_json}
     *     (empty, or not UTF-8)
     */
    public static String read(HttpServletRequest request, long maxBytes) throws IOException {
        checkCharset(request.getContentType());
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        if (body.length == 0) {
            throw ApiException.invalid(null, "invalid_json", "The request body is empty; send a JSON object.");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid(null, "invalid_json", "The request body is not valid UTF-8.");
        }
    }

    private static void checkCharset(String contentType) {
        if (contentType == null) {
            return;
        }
        String charset;
        try {
            charset = MediaType.parseMediaType(contentType).getParameter("charset");
        } catch (IllegalArgumentException e) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                    "unsupported_media_type", "The Content-Type header could not be read.");
        }
        if (charset == null) {
            return;
        }
        String name = charset.replace("\"", "").trim().toLowerCase(Locale.ROOT);
        if (!name.equals("utf-8") && !name.equals("utf8")) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ApiError.INVALID_REQUEST, null,
                    "unsupported_charset", "JSON bodies must be UTF-8; the Content-Type declares charset "
                            + ApiError.printable(charset) + ".", null, "InvalidParameter");
        }
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiError.INVALID_REQUEST, null, "request_too_large",
                "The request body is larger than " + max + " bytes.", null, "BadRequest.TooLarge");
    }
}
