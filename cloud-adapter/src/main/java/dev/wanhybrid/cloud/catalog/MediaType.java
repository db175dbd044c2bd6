package dev.wanhybrid.cloud.catalog;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code type} of one {@code input.media[]} item of the new video protocol (Wan 2.7, wan3.0-video), by its wire
 * name. The names are those of Alibaba's API reference and of the official Java SDK's
 * {@code VideoSynthesis.MediaType} constants (2.22.13).
 */
public enum MediaType {
    /** The first frame (image-to-video; an optional pin in reference-to-video). */
    FIRST_FRAME("first_frame", Input.IMAGE),
    /** The last frame (first-and-last-frame, or the end of a continuation). */
    LAST_FRAME("last_frame", Input.IMAGE),
    /** Audio the video is synchronised to. */
    DRIVING_AUDIO("driving_audio", Input.AUDIO),
    /** A clip the video continues. */
    FIRST_CLIP("first_clip", Input.VIDEO),
    /** An image of a character, object or scene to cast (reference-to-video; a style or garment in editing). */
    REFERENCE_IMAGE("reference_image", Input.IMAGE),
    /** A video of a character to cast (reference-to-video); its seconds are billed. */
    REFERENCE_VIDEO("reference_video", Input.VIDEO),
    /** The video to edit; its seconds are billed. */
    VIDEO("video", Input.VIDEO);

    /** What an item's URL must point at. */
    /** Whether a model that bills input video bills this item's seconds: a reference video or a video to edit. */
    public boolean billedAsInputVideo() {
        return this == REFERENCE_VIDEO || this == VIDEO;
    }

    public enum Input { IMAGE, AUDIO, VIDEO }

    private final String wire;
    private final Input input;

    MediaType(String wire, Input input) {
        this.wire = wire;
        this.input = input;
    }

    public String wire() {
        return wire;
    }

    public Input input() {
        return input;
    }

    /** Only images may be sent inline as {@code data:} URLs; audio and video must be fetchable. */
    public boolean acceptsDataUrl() {
        return input == Input.IMAGE;
    }

    public static Optional<MediaType> parse(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        String w = wire.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.wire.equals(w)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(MediaType::wire).toList());
    }
}
