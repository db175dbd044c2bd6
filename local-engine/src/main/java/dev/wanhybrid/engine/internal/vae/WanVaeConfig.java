package dev.wanhybrid.engine.internal.vae;

import dev.wanhybrid.engine.internal.config.JsonConfig;
import java.nio.file.Path;

/**
 * The Wan 2.1 VAE's sizes, read from Diffusers' {@code AutoencoderKLWan} config.
 *
 * @param baseDim base channel width (96 for the released VAE)
 * @param zDim latent channels (16)
 * @param dimMult channel multipliers per level
 * @param resBlocks residual blocks per encoder level (the decoder has one more)
 * @param temporalDownsample which encoder levels halve time (the decoder mirrors it)
 * @param latentsMean per-channel latent mean
 * @param latentsStd per-channel latent standard deviation
 */
public record WanVaeConfig(int baseDim, int zDim, int[] dimMult, int resBlocks, boolean[] temporalDownsample,
        float[] latentsMean, float[] latentsStd) {

    /** Wan 2.1's per-channel latent mean ({@code latents_mean} of {@code AutoencoderKLWan}). */
    public static final float[] WAN21_LATENTS_MEAN = {-0.7571f, -0.7089f, -0.9113f, 0.1075f, -0.1745f, 0.9653f,
            -0.1517f, 1.5508f, 0.4134f, -0.0715f, 0.5517f, -0.3632f, -0.1922f, -0.9497f, 0.2503f, -0.2921f};

    /** Wan 2.1's per-channel latent standard deviation ({@code latents_std}). */
    public static final float[] WAN21_LATENTS_STD = {2.8184f, 1.4541f, 2.3275f, 2.6558f, 1.2196f, 1.7708f, 2.6052f,
            2.0743f, 3.2687f, 2.1526f, 2.8652f, 1.5579f, 1.6382f, 1.1253f, 2.8251f, 1.9160f};

    /** The real Wan 2.1 VAE (base width 96), as {@code Wan-AI/Wan2.1-T2V-1.3B-Diffusers} configures it. */
    public static WanVaeConfig wan21() {
        return new WanVaeConfig(96, 16, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true},
                WAN21_LATENTS_MEAN, WAN21_LATENTS_STD);
    }

    public static WanVaeConfig read(Path configJson) {
        JsonConfig c = JsonConfig.read(configJson);
        return new WanVaeConfig(c.integer("base_dim"), c.integer("z_dim"), c.integers("dim_mult"),
                c.integer("num_res_blocks"), c.booleans("temperal_downsample"), c.floats("latents_mean"),
                c.floats("latents_std"));
    }

    /** Pixels per latent along time (4 for Wan 2.1: two temporal halvings). */
    public int temporalStride() {
        return temporalStride(temporalDownsample);
    }

    /** 2 to the number of temporal halvings. */
    static int temporalStride(boolean[] temporalDownsample) {
        int stride = 1;
        for (boolean down : temporalDownsample) {
            stride *= down ? 2 : 1;
        }
        return stride;
    }

    /** Pixels per latent along height and width (8 for Wan 2.1). */
    public int spatialStride() {
        return 1 << (dimMult.length - 1);
    }
}
