package dev.wanhybrid.gateway.generation;

/**
 * The video a request was derived from, and how: a remix reuses the source's settings with a new prompt; an
 * extension continues the source from its last frame; an edit changes the source by instruction.
 *
 * @param relation how the request derives from the source
 * @param videoId the source's job id ({@code video_...})
 */
public record VideoOrigin(Relation relation, String videoId) {

    /** How a request derives from its source video. */
    public enum Relation {
        /** {@code POST /v1/videos/{id}/remix}: the source's settings, a new prompt. */
        REMIX,
        /** {@code POST /v1/videos/extensions}: a continuation from the source's last frame. */
        EXTENSION,
        /** {@code POST /v1/videos/edits}: the source video changed by instruction (video editing). */
        EDIT
    }

    public VideoOrigin {
        if (relation == null || videoId == null) {
            throw new IllegalArgumentException("a video origin needs a relation and a video id");
        }
    }
}
