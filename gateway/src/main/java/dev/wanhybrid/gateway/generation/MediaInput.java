package dev.wanhybrid.gateway.generation;

import dev.wanhybrid.cloud.catalog.MediaType;
import java.net.URI;
import java.util.Objects;

/**
 * One typed input of a request beyond a first-frame image: a reference image or video, a last frame, a clip to
 * continue, a video to edit, driving audio. The types are the cloud catalog's ({@link MediaType}); which
 * combinations make which mode is decided there too ({@code ModelCatalog.modeOf}).
 *
 * @param type what the input is
 * @param url where it is: a public http(s) URL the caller gave (checked by the input URL policy), or a link the
 *     gateway made to a video it stores (an edit's source, a character's clip)
 * @param characterId the character ({@code char_...}) whose reference clip this is, or {@code null}
 */
public record MediaInput(MediaType type, URI url, String characterId) {

    public MediaInput {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
    }

    /** An input that is no character's clip. */
    public MediaInput(MediaType type, URI url) {
        this(type, url, null);
    }
}
