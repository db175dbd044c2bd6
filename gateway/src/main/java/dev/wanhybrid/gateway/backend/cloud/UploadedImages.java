package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.gateway.generation.ImageFormat;
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
        return "data:" + ImageFormat.sniff(image).map(ImageFormat::mediaType).orElse("application/octet-stream")
                + ";base64," + Base64.getEncoder().encodeToString(image);
    }
}
