package dev.wanhybrid.engine.internal.dit;

import dev.wanhybrid.engine.internal.config.JsonConfig;
import java.nio.file.Path;

/**
 * The Wan DiT's sizes, read from Diffusers' {@code WanTransformer3DModel} config.
 *
 * @param inChannels latent channels in (16 for Wan 2.1, 48 for Wan 2.2 TI2V-5B)
 * @param outChannels latent channels out
 * @param dim model width
 * @param ffnDim feed-forward width
 * @param freqDim sinusoidal time embedding width
 * @param textDim text encoder width
 * @param heads attention heads
 * @param layers blocks
 * @param patch patch size (t, h, w)
 * @param eps norm epsilon
 * @param crossAttnNorm whether the affine norm before cross-attention exists
 * @param textLength rows the text context is zero-padded to (the pipeline's max sequence length, 512)
 */
public record WanTransformerConfig(int inChannels, int outChannels, int dim, int ffnDim, int freqDim, int textDim,
        int heads, int layers, int[] patch, double eps, boolean crossAttnNorm, int textLength) {

    public static WanTransformerConfig read(Path configJson, int textLength) {
        JsonConfig c = JsonConfig.read(configJson);
        int heads = c.integer("num_attention_heads");
        return new WanTransformerConfig(c.integer("in_channels"), c.integer("out_channels"),
                heads * c.integer("attention_head_dim"), c.integer("ffn_dim"), c.integer("freq_dim"),
                c.integer("text_dim"), heads, c.integer("num_layers"), c.integers("patch_size"),
                c.number("eps", 1e-6), c.bool("cross_attn_norm", true), textLength);
    }

    public int headDim() {
        return dim / heads;
    }

    public int patchVolume() {
        return patch[0] * patch[1] * patch[2];
    }
}
