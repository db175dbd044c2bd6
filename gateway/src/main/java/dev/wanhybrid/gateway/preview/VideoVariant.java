package dev.wanhybrid.gateway.preview;

import java.util.Optional;

/**
 * What {@code GET /v1/videos/{id}/content?variant=} serves: the video itself, or one of the stills made from it
 * when it was stored (OpenAI's thumbnail is WebP, its spritesheet JPEG). A still lives beside the video under
 * a key derived from the video's, so it needs no column of its own and goes where the video goes.
 */
public enum VideoVariant {
    VIDEO("video", "video/mp4", "mp4"),
    THUMBNAIL("thumbnail", "image/webp", "webp"),
    SPRITESHEET("spritesheet", "image/jpeg", "jpg");

    private final String wire;
    private final String contentType;
    private final String extension;

    VideoVariant(String wire, String contentType, String extension) {
        this.wire = wire;
        this.contentType = contentType;
        this.extension = extension;
    }

    /** The variant a query parameter names, or empty for an unknown one. */
    public static Optional<VideoVariant> of(String wire) {
        for (VideoVariant variant : values()) {
            if (variant.wire.equals(wire)) {
                return Optional.of(variant);
            }
        }
        return Optional.empty();
    }

    public String wire() {
        return wire;
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    /** This variant's key for the video stored under {@code videoKey}: {@code videos/<id>.thumbnail.webp}. */
    public String keyFor(String videoKey) {
        if (this == VIDEO) {
            return videoKey;
        }
        String stem = videoKey.endsWith(".mp4") ? videoKey.substring(0, videoKey.length() - 4) : videoKey;
        return stem + "." + wire + "." + extension;
    }
}
