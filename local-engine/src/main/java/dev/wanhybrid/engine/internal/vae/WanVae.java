package dev.wanhybrid.engine.internal.vae;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import dev.wanhybrid.engine.internal.weights.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Wan 2.1 causal video VAE ({@code WanVAE_} in {@code wan/modules/vae.py}) with Diffusers tensor names:
 * causal 3-D convolutions, decoding one latent frame at a time (encoding 1 + 4k frames at a time) with a
 * feature cache that carries the last two frames of every cached convolution's input to the next chunk.
 */
public final class WanVae extends CausalVaeBase {

    private final WanVaeConfig config;
    private final List<Layer> encoder;
    private final List<Layer> decoder;

    private WanVae(WanVaeConfig config, ScalarType compute) {
        super(compute, config.latentsMean(), config.latentsStd());
        this.config = config;
        this.encoder = buildEncoder();
        this.decoder = buildDecoder();
        addQuantConvs(config.zDim());
    }

    /** The Diffusers {@code AutoencoderKLWan} names and shapes for {@code config}. */
    public static Map<String, long[]> expectedShapes(WanVaeConfig config) {
        return new WanVae(config, ScalarType.Float).shapes;
    }

    /** Loads the VAE from a {@code vae/} folder; convolutions run in {@code dtype}. */
    public static WanVae load(WanVaeConfig config, WeightSource weights, DType dtype) {
        return load(config, weights, dtype, null);
    }

    /** Loads the VAE onto {@code device} (null: CPU). */
    public static WanVae load(WanVaeConfig config, WeightSource weights, DType dtype, Device device) {
        WanVae vae = new WanVae(config, dtype.torchType());
        vae.loadWeights(weights, dtype, device);
        return vae;
    }

    public WanVaeConfig config() {
        return config;
    }

    /**
     * Decodes normalised latents {@code [B, z, F, H, W]} to video {@code [B, 3, 1 + 4(F-1), 8H, 8W]} in [-1, 1].
     */
    public Tensor decode(Tensor latents) {
        return decode(latents, true, DecodeProgress.NONE);
    }

    /** As {@link #decode(Tensor)}, reporting each decoded chunk; the video is on the CPU. */
    public Tensor decode(Tensor latents, DecodeProgress progress) {
        return decode(latents, true, progress);
    }

    /** As {@link #decode(Tensor)}; {@code clamp=false} returns the raw decoder output. */
    public Tensor decode(Tensor latents, boolean clamp) {
        return decode(latents, clamp, DecodeProgress.NONE);
    }

    /**
     * As {@link #decode(Tensor, DecodeProgress)}, decoding each frame in {@code tiling}'s spatial tiles; the other
     * overloads use {@link SpatialTiling#auto}, which tiles only frames larger than 480p.
     */
    public Tensor decode(Tensor latents, DecodeProgress progress, SpatialTiling tiling) {
        return decode(latents, true, progress, tiling);
    }

    private Tensor decode(Tensor latents, boolean clamp, DecodeProgress progress) {
        return decode(latents, clamp, progress, SpatialTiling.auto(latents.size(3), latents.size(4)));
    }

    private Tensor decode(Tensor latents, boolean clamp, DecodeProgress progress, SpatialTiling tiling) {
        Tensor video = decodeFrames(decoder, postQuantConv.forward(denormalize(latents), null), progress, tiling);
        return clamp ? Torch.clamp(video, -1, 1) : video;
    }

    /** Post-quant convolution output for normalised latents (a debug stage of the parity tests). */
    public Tensor postQuantConv(Tensor latents) {
        return postQuantConv.forward(denormalize(latents), null).to(ScalarType.Float);
    }

    /** Encodes video {@code [B, 3, 1 + 4k, H, W]} in [-1, 1] to the normalised posterior mean. */
    public Tensor encode(Tensor video) {
        return normalize(encodeMoments(video).narrow(1, 0, config.zDim()));
    }

    /** The quant-conv output {@code [mu; logvar]}, {@code [B, 2z, F, H/8, W/8]}. */
    public Tensor encodeMoments(Tensor video) {
        Tensor out = encodeChunks(encoder, video, config.temporalStride(), false);
        return quantConv.forward(out, null).to(ScalarType.Float);
    }

    // ---------------------------------------------------------------- structure

    private List<Layer> buildEncoder() {
        int base = config.baseDim();
        int[] mult = config.dimMult();
        int[] dims = new int[mult.length + 1];
        dims[0] = base;
        for (int i = 0; i < mult.length; i++) {
            dims[i + 1] = base * mult[i];
        }
        List<Layer> layers = new ArrayList<>();
        layers.add(new CachedConv(new CausalConv("encoder.conv_in", dims[0], 3, 3, 3, 3, 1, 1, 1, 1)));
        int flat = 0;
        for (int i = 0; i < mult.length; i++) {
            int in = dims[i];
            int out = dims[i + 1];
            for (int r = 0; r < config.resBlocks(); r++) {
                layers.add(new Residual("encoder.down_blocks." + flat++ + ".", in, out));
                in = out;
            }
            if (i != mult.length - 1) {
                layers.add(new Downsample("encoder.down_blocks." + flat++ + ".", out, config.temporalDownsample()[i]));
            }
        }
        int top = dims[mult.length];
        addMiddle(layers, "encoder.mid_block.", top);
        layers.add(new Head("encoder.", top, 2 * config.zDim()));
        return layers;
    }

    private List<Layer> buildDecoder() {
        int base = config.baseDim();
        int[] mult = config.dimMult();
        int levels = mult.length;
        int[] dims = new int[levels + 1];
        dims[0] = base * mult[levels - 1];
        for (int i = 0; i < levels; i++) {
            dims[i + 1] = base * mult[levels - 1 - i];
        }
        List<Layer> layers = new ArrayList<>();
        layers.add(new CachedConv(new CausalConv("decoder.conv_in", dims[0], config.zDim(), 3, 3, 3, 1, 1, 1, 1)));
        addMiddle(layers, "decoder.mid_block.", dims[0]);
        for (int i = 0; i < levels; i++) {
            int in = i == 0 ? dims[i] : dims[i] / 2;
            int out = dims[i + 1];
            for (int r = 0; r < config.resBlocks() + 1; r++) {
                layers.add(new Residual("decoder.up_blocks." + i + ".resnets." + r + ".", in, out));
                in = out;
            }
            if (i != levels - 1) {
                boolean temporal = config.temporalDownsample()[levels - 2 - i];
                // Wan 2.1 halves the width in the upsampler's spatial convolution.
                layers.add(new Upsample("decoder.up_blocks." + i + ".upsamplers.0.", out, out / 2, temporal));
            }
        }
        layers.add(new Head("decoder.", dims[levels], 3));
        return layers;
    }

}
