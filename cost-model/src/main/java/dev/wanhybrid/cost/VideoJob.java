package dev.wanhybrid.cost;

import java.util.Objects;

/**
 * The shape of one video job as far as money is concerned: which model, how large, how long, with sound or not.
 *
 * @param model catalog model id (local, e.g. {@code wan2.1-t2v-1.3b}, or cloud, e.g. {@code wan2.6-t2v})
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param seconds clip length in seconds
 * @param audio whether the video has a sound track
 * @param steps sampling steps for a local run, or 0 for the model's default
 */
public record VideoJob(String model, int width, int height, int seconds, boolean audio, int steps) {

    public VideoJob {
        Objects.requireNonNull(model, "model");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
        if (seconds <= 0) {
            throw new IllegalArgumentException("seconds must be positive, was " + seconds);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
    }

    public static VideoJob of(String model, int width, int height, int seconds, boolean audio) {
        return new VideoJob(model, width, height, seconds, audio, 0);
    }

    public Tier tier() {
        return Tier.ofSize(width, height);
    }

    public VideoJob withModel(String otherModel) {
        return new VideoJob(otherModel, width, height, seconds, audio, steps);
    }
}
