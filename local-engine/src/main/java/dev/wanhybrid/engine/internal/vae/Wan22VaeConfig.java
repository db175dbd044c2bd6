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

    /** Wan 2.2's per-channel latent mean ({@code latents_mean} of the TI2V-5B {@code AutoencoderKLWan}). */
    public static final float[] WAN22_LATENTS_MEAN = {
            -0.2289f, -0.0052f, -0.1323f, -0.2339f, -0.2799f, 0.0174f, 0.1838f, 0.1557f, -0.1382f, 0.0542f, 0.2813f,
            0.0891f, 0.157f, -0.0098f, 0.0375f, -0.1825f, -0.2246f, -0.1207f, -0.0698f, 0.5109f, 0.2665f, -0.2108f,
            -0.2158f, 0.2502f, -0.2055f, -0.0322f, 0.1109f, 0.1567f, -0.0729f, 0.0899f, -0.2799f, -0.123f, -0.0313f,
            -0.1649f, 0.0117f, 0.0723f, -0.2839f, -0.2083f, -0.052f, 0.3748f, 0.0152f, 0.1957f, 0.1433f, -0.2944f,
            0.3573f, -0.0548f, -0.1681f, -0.0667f};

    /** Wan 2.2's per-channel latent standard deviation ({@code latents_std}). */
    public static final float[] WAN22_LATENTS_STD = {
            0.4765f, 1.0364f, 0.4514f, 1.1677f, 0.5313f, 0.499f, 0.4818f, 0.5013f, 0.8158f, 1.0344f, 0.5894f,
            1.0901f, 0.6885f, 0.6165f, 0.8454f, 0.4978f, 0.5759f, 0.3523f, 0.7135f, 0.6804f, 0.5833f, 1.4146f,
            0.8986f, 0.5659f, 0.7069f, 0.5338f, 0.4889f, 0.4917f, 0.4069f, 0.4999f, 0.6866f, 0.4093f, 0.5709f,
            0.6065f, 0.6415f, 0.4944f, 0.5726f, 1.2042f, 0.5458f, 1.6887f, 0.3971f, 1.06f, 0.3943f, 0.5537f, 0.5444f,
            0.4089f, 0.7468f, 0.7744f};

    /** The real Wan 2.2 TI2V-5B VAE (base width 160, decoder 256, 48 latent channels, 2x2 patchify). */
    public static Wan22VaeConfig ti2v5b() {
        return new Wan22VaeConfig(160, 256, 48, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true}, 2,
                WAN22_LATENTS_MEAN, WAN22_LATENTS_STD);
    }

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
