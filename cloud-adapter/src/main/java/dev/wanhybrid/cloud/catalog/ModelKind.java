package dev.wanhybrid.cloud.catalog;

/** What a cloud model makes a video from. */
public enum ModelKind {
    /** Text to video. */
    T2V,
    /** First-frame image (plus text) to video. */
    I2V,
    /** Reference images/videos (plus text) to video. */
    R2V,
    /** First and last key frames to video; served on the {@code image2video} path. */
    KF2V;

    /** Whether the output size is a tier ({@code resolution}) rather than concrete pixels ({@code size}). */
    public boolean sizedByResolution() {
        return this == I2V || this == KF2V;
    }
}
