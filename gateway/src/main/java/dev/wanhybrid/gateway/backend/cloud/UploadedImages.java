package dev.wanhybrid.gateway.backend.cloud;

import java.io.IOException;
import java.util.Base64;

/**
 * Reads an image the caller uploaded with the request (stored under an {@code upload:<key>} reference), so the
 * cloud backend can send it inline as a {@code data:} URL: DashScope cannot fetch from the gateway's storage.
 */
@FunctionalInterface
public interface UploadedImages {

    /** The stored bytes of upload {@code key}. */
    byte[] read(String key) throws IOException;

    /** A reader for a gateway without upload storage: every upload is unavailable. */
    UploadedImages NONE = key -> {
        throw new IOException("no upload storage is configured");
    };

    /** {@code data:image/png;base64,...} with the media type read from the bytes (PNG, JPEG, WebP, BMP). */
    static String dataUrl(byte[] image) {
        return "data:" + mediaType(image) + ";base64," + Base64.getEncoder().encodeToString(image);
    }

    private static String mediaType(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return "application/octet-stream";
    }
}
