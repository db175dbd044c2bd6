package dev.wanhybrid.cloud.catalog;

/** How a model treats sound. */
public enum AudioSupport {
    /** Always silent. */
    NONE,
    /** Always has sound, generated or synchronised to {@code audio_url}; billed at one price. */
    ALWAYS,
    /** Sound by default; {@code audio: false} gives silent output at the silent price. */
    OPTIONAL
}
