package dev.wanhybrid.cost.local;

import java.util.Objects;

/**
 * A published or measured reference point for one model: how many GPU-seconds one job of this shape took on
 * this GPU type, plus how the model's frame count follows from the clip length.
 *
 * @param model local model id, e.g. {@code wan2.1-t2v-1.3b}
 * @param gpu the GPU type the figure was taken on, e.g. {@code rtx4090}
 * @param width frame width of the reference job
 * @param height frame height of the reference job
 * @param frames frames of the reference job
 * @param steps sampling steps of the reference job
 * @param gpuSeconds wall-clock GPU-seconds the reference job took on one GPU
 * @param fps frames per second the model generates (16 for Wan 2.1, 24 for Wan 2.2 TI2V-5B)
 * @param defaultSteps sampling steps used when a job gives none
 * @param pixelExponent how cost grows with pixels x frames (1.0 = linear; attention makes it super-linear)
 * @param source where the figure comes from, for the report
 */
public record ThroughputSeed(String model, String gpu, int width, int height, int frames, int steps,
        double gpuSeconds, int fps, int defaultSteps, double pixelExponent, String source) {

    public ThroughputSeed {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(gpu, "gpu");
        if (width <= 0 || height <= 0 || frames <= 0 || steps <= 0 || fps <= 0 || defaultSteps <= 0) {
            throw new IllegalArgumentException("throughput seed for " + model + ": sizes, frames, steps and fps must be positive");
        }
        if (!(gpuSeconds > 0)) {
            throw new IllegalArgumentException("throughput seed for " + model + ": gpu_seconds must be positive");
        }
        if (!(pixelExponent > 0)) {
            throw new IllegalArgumentException("throughput seed for " + model + ": pixel_exponent must be positive");
        }
    }

    /** Frames for a clip of {@code seconds}: Wan samples 4k+1 frames, so 5 s at 16 fps is 81. */
    public int framesFor(int seconds) {
        return seconds * fps + 1;
    }
}
