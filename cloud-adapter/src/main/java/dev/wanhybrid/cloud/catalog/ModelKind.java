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
    KF2V,
    /** Edit a video by instruction (new protocol only: wan2.7-videoedit). */
    EDIT,
    /** Every mode behind one model id, chosen by the request's media (new protocol only: wan3.0-video). */
    ANY;

    /**
     * On the legacy protocol, whether the output size is a tier ({@code resolution}) rather than concrete pixels
     * ({@code size}); every new-protocol model is sized by tier.
     */
    public boolean sizedByResolution() {
        return this == I2V || this == KF2V;
    }
}
