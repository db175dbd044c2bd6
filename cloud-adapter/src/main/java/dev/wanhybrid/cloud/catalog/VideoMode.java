package dev.wanhybrid.cloud.catalog;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a request asks a model to do: the capability the catalog lists per model ({@link CloudModel#modes()}) and
 * the gateway's request modes are read from. On the legacy protocol a model does one mode (its
 * {@link ModelKind}); on the new protocol the mode follows from the {@code input.media[]} items
 * ({@link ModelCatalog#modeOf}).
 */
public enum VideoMode {
    /** Text to video. */
    TEXT_TO_VIDEO("t2v"),
    /** A first frame (plus text, optionally driving audio) to video. */
    IMAGE_TO_VIDEO("i2v"),
    /** First and last frames to video. */
    FIRST_LAST_FRAME("flf2v"),
    /** Continue a clip (optionally to a last frame). */
    VIDEO_CONTINUATION("continuation"),
    /** Cast characters from reference images or videos. */
    REFERENCE_TO_VIDEO("r2v"),
    /** Edit a video by instruction (optionally with reference images). */
    VIDEO_EDIT("edit");

    private final String id;

    VideoMode(String id) {
        this.id = id;
    }

    /** The short name used in configuration and in the gateway's API ({@code r2v}). */
    public String id() {
        return id;
    }

    /** Reads {@code r2v} or {@code REFERENCE_TO_VIDEO}. */
    public static Optional<VideoMode> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        return Arrays.stream(values())
                .filter(m -> m.id.equalsIgnoreCase(t) || m.name().equalsIgnoreCase(t.replace('-', '_')))
                .findFirst();
    }

    /** The short names of {@code modes}, for messages ({@code [t2v, r2v]}). */
    public static String ids(java.util.Collection<VideoMode> modes) {
        return modes.stream().map(VideoMode::id).toList().toString();
    }
}
