package dev.wanhybrid.gateway.catalog;

/** A way a model can produce sound beyond a silent clip. */
public enum AudioMode {
    /** The model generates its own sound track. */
    GENERATED,
    /** The model synchronises the video to a given audio file ({@code audio_url}). */
    URL
}
