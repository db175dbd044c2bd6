package dev.wanhybrid.cloud.catalog;

/** Which request shape a model reads. */
public enum ModelProtocol {
    /** Wan 2.1 .. 2.6: {@code img_url}, {@code reference_urls}, key-frame URLs; t2v/r2v sized by {@code size}. */
    LEGACY,
    /** Wan 2.7 and wan3.0-video: one {@code input.media[]} list of typed items; sized by {@code resolution} and {@code ratio}. */
    MEDIA
}
