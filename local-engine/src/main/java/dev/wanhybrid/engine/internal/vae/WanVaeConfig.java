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
