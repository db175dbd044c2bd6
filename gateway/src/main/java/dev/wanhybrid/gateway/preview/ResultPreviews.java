package dev.wanhybrid.gateway.preview;

import dev.wanhybrid.engine.VideoStills;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The stills kept with a finished video in the {@link ResultStore}: made with FFmpeg ({@link VideoStills}) once,
 * when the video is stored, and deleted with it. Making them is idempotent (the store keeps an object that
 * exists), so a job whose completion is retried makes them again harmlessly.
 */
@Component
public class ResultPreviews {

    private static final Logger log = LoggerFactory.getLogger(ResultPreviews.class);
    private static final long MAX_STILL_BYTES = 64L << 20;

    private final ResultStore results;

    public ResultPreviews(ResultStore results) {
        this.results = results;
    }

    /**
     * Makes the thumbnail and the spritesheet of the video stored under {@code videoKey}.
     *
     * @throws IOException when the video cannot be read or FFmpeg cannot decode it
     */
    public void make(String videoKey) throws IOException {
        if (results.stat(VideoVariant.THUMBNAIL.keyFor(videoKey)).isPresent()
                && results.stat(VideoVariant.SPRITESHEET.keyFor(videoKey)).isPresent()) {
            return;
        }
        Path work = Files.createTempDirectory("previews-");
        try {
            Path video = copyOut(videoKey, work);
            Path thumbnail = work.resolve("thumbnail.webp");
            VideoStills.thumbnail(video, thumbnail);
            Path sprites = work.resolve("spritesheet.jpg");
            VideoStills.spritesheet(video, sprites);
            put(VideoVariant.THUMBNAIL.keyFor(videoKey), thumbnail);
            put(VideoVariant.SPRITESHEET.keyFor(videoKey), sprites);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Makes the stills and reports a failure instead of throwing: a video whose stills cannot be made is still
     * a finished video, and its variants are made again on first request ({@link #find}).
     */
    public boolean makeQuietly(String videoKey) {
        try {
            make(videoKey);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("could not make the thumbnail and spritesheet of {}: {}", videoKey, e.toString());
            return false;
        }
    }

    /**
     * The stored {@code variant} of the video under {@code videoKey}; a still that is missing while the video
     * exists (made before stills existed, or making it failed) is made now.
     */
    public Optional<StoredObject> find(String videoKey, VideoVariant variant) throws IOException {
        Optional<StoredObject> found = results.stat(variant.keyFor(videoKey));
        if (found.isPresent() || variant == VideoVariant.VIDEO || results.stat(videoKey).isEmpty()) {
            return found;
        }
        // Stat again whatever happened: a concurrent request may have made it first.
        makeQuietly(videoKey);
        return results.stat(variant.keyFor(videoKey));
    }

    /** The last frame of the video stored under {@code videoKey}, as a PNG at the video's size. */
    public byte[] lastFrame(String videoKey) throws IOException {
        Path work = Files.createTempDirectory("last-frame-");
        try {
            Path video = copyOut(videoKey, work);
            Path png = work.resolve("last.png");
            VideoStills.lastFrame(video, png);
            return Files.readAllBytes(png);
        } finally {
            deleteTree(work);
        }
    }

    /** Deletes the video's stills (not the video); best effort, a failure is logged. */
    public void delete(String videoKey) {
        for (VideoVariant variant : VideoVariant.values()) {
            if (variant == VideoVariant.VIDEO) {
                continue;
            }
            try {
                results.delete(variant.keyFor(videoKey));
            } catch (IOException | RuntimeException e) {
                log.warn("could not delete stored object {}: {}", variant.keyFor(videoKey), e.toString());
            }
        }
    }

    /** FFmpeg reads files: the stored video is copied into {@code work} first. */
    private Path copyOut(String videoKey, Path work) throws IOException {
        Path video = work.resolve("video.mp4");
        try (InputStream in = results.open(videoKey, 0, -1)) {
            Files.copy(in, video);
        }
        return video;
    }

    private void put(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            results.put(key, in, MAX_STILL_BYTES);
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("could not delete temporary folder {}: {}", dir, e.toString());
        }
    }
}
