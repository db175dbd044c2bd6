package dev.wanhybrid.engine.internal.vae;

import dev.wanhybrid.engine.internal.config.JsonConfig;
import java.nio.file.Path;

/**
 * The Wan 2.2 VAE's sizes, read from Diffusers' {@code AutoencoderKLWan} config with {@code is_residual=true}.
 *
 * @param baseDim encoder base channel width (160 for the released VAE)
 * @param decoderBaseDim decoder base channel width (256 for the released VAE)
 * @param zDim latent channels (48)
 * @param dimMult channel multipliers per level
 * @param resBlocks residual blocks per encoder level (the decoder has one more)
 * @param temporalDownsample which encoder levels halve time (the decoder mirrors it)
 * @param patchSize pixel patchify factor before the encoder (2)
 * @param latentsMean per-channel latent mean
 * @param latentsStd per-channel latent standard deviation
 */
public record Wan22VaeConfig(int baseDim, int decoderBaseDim, int zDim, int[] dimMult, int resBlocks,
        boolean[] temporalDownsample, int patchSize, float[] latentsMean, float[] latentsStd) {

    public static Wan22VaeConfig read(Path configJson) {
        JsonConfig c = JsonConfig.read(configJson);
        if (!c.bool("is_residual", false)) {
            throw new IllegalArgumentException(configJson + " is not a Wan 2.2 (residual) VAE config");
        }
        return new Wan22VaeConfig(c.integer("base_dim"), c.integer("decoder_base_dim"), c.integer("z_dim"),
                c.integers("dim_mult"), c.integer("num_res_blocks"), c.booleans("temperal_downsample"),
                c.integer("patch_size", 2), c.floats("latents_mean"), c.floats("latents_std"));
    }

    /** Whether {@code configJson} describes the Wan 2.2 residual VAE rather than the Wan 2.1 one. */
    public static boolean isWan22(Path configJson) {
        return JsonConfig.read(configJson).bool("is_residual", false);
    }

    /** Pixels per latent along time (4: two temporal halvings). */
    public int temporalStride() {
        return WanVaeConfig.temporalStride(temporalDownsample);
    }

    /** Pixels per latent along height and width (16: the 2x2 patchify and three halvings). */
    public int spatialStride() {
        return patchSize * (1 << (dimMult.length - 1));
    }
}
