package dev.wanhybrid.gateway.api;

import dev.wanhybrid.gateway.api.CreateVideoRequest.ImageUpload;
import dev.wanhybrid.gateway.jobs.Job;
import dev.wanhybrid.gateway.storage.ResultStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of an uploaded {@code input_reference} image in the {@link ResultStore}: stored under
 * {@code uploads/<job id>/input.<ext>} before the job exists (the job refers to it as {@code upload:<key>}),
 * deleted again when the job is not created, and deleted with the job's video when the job is deleted.
 * Deletions are best effort: a failure is logged, never answered to the caller.
 */
final class InputUploads {

    private static final Logger log = LoggerFactory.getLogger(InputUploads.class);
    private static final String SCHEME = "upload";

    private final ResultStore results;
    private final ApiProperties properties;

    InputUploads(ResultStore results, ApiProperties properties) {
        this.results = results;
        this.properties = properties;
    }

    /**
     * Stores the request's uploaded image, if any, for the job about to be created.
     *
     * @return the job's input image: {@code upload:<key>} for an upload, else the request's {@code image_url}
     *     (or {@code null} for text-to-video)
     */
    URI store(String jobId, CreateVideoRequest request) throws IOException {
        ImageUpload upload = request.upload();
        if (upload == null) {
            return request.imageUrl();
        }
        String key = "uploads/" + jobId + "/input." + upload.extension();
        results.put(key, new ByteArrayInputStream(upload.bytes()), properties.maxImageSize().toBytes());
        return URI.create(SCHEME + ":" + key);
    }

    /**
     * The input image for a new job {@code jobId} derived from a job whose input was {@code image}: an upload is
     * copied to the new job's own key, so deleting either job leaves the other's image in place; a URL is reused.
     */
    URI copyFor(String jobId, URI image) throws IOException {
        if (image == null || !SCHEME.equals(image.getScheme())) {
            return image;
        }
        String source = image.getSchemeSpecificPart();
        String key = "uploads/" + jobId + "/" + source.substring(source.lastIndexOf('/') + 1);
        try (java.io.InputStream in = results.open(source, 0, -1)) {
            results.put(key, in, properties.maxImageSize().toBytes());
        }
        return URI.create(SCHEME + ":" + key);
    }

    /** Stores a frame taken from another video (PNG) as the input image of the new job {@code jobId}. */
    URI storeFrame(String jobId, byte[] png) throws IOException {
        String key = "uploads/" + jobId + "/input.png";
        results.put(key, new ByteArrayInputStream(png), png.length);
        return URI.create(SCHEME + ":" + key);
    }

    /** Deletes the upload behind {@code image} when it is one; an http(s) URL or {@code null} is left alone. */
    void discard(URI image) {
        if (image != null && SCHEME.equals(image.getScheme())) {
            deleteQuietly(image.getSchemeSpecificPart());
        }
    }

    /** Deletes what a deleted job leaves in the store: its video, then its uploaded image. */
    void deleteWith(Job job) {
        deleteQuietly(job.resultKey());
        discard(job.spec().inputImage());
    }

    private void deleteQuietly(String key) {
        if (key == null) {
            return;
        }
        try {
            results.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete stored object {}: {}", key, e.toString());
        }
    }
}
