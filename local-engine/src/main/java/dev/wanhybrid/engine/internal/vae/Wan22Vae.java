package dev.wanhybrid.engine.internal.vae;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Wan 2.2 video VAE ({@code WanVAE_} in {@code wan/modules/vae2_2.py}) with Diffusers tensor names: a 2x2
 * pixel patchify to 12 channels, residual down/up blocks whose shortcuts average-pool / duplicate across the
 * resampled axes, 48 latent channels and 4x16x16 compression. Encoding runs on frame chunks 1, 4, 4, ... and
 * decoding one latent frame at a time, with the causal feature cache of the official code.
 */
public final class Wan22Vae extends CausalVaeBase {

    private final Wan22VaeConfig config;
    private final List<Layer> encoder;
    private final List<Layer> decoder;

    private Wan22Vae(Wan22VaeConfig config, ScalarType compute) {
        super(compute, config.latentsMean(), config.latentsStd());
        this.config = config;
        this.encoder = buildEncoder();
        this.decoder = buildDecoder();
        addQuantConvs(config.zDim());
    }

    /** The Diffusers {@code AutoencoderKLWan} names and shapes for {@code config}. */
    public static Map<String, long[]> expectedShapes(Wan22VaeConfig config) {
        return new Wan22Vae(config, ScalarType.Float).shapes;
    }

    /** Loads the VAE onto {@code device} (null: CPU); convolutions run in {@code dtype}, norms in float32. */
    public static Wan22Vae load(Wan22VaeConfig config, WeightSource weights, DType dtype, Device device) {
        Wan22Vae vae = new Wan22Vae(config, dtype.torchType());
        vae.loadWeights(weights, dtype, device);
        return vae;
    }

    public Wan22VaeConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- decode

    /** Decodes normalised latents {@code [B, z, F, H, W]} to video {@code [B, 3, 1 + 4(F-1), 16H, 16W]} in [-1, 1]. */
    public Tensor decode(Tensor latents) {
        return decode(latents, DecodeProgress.NONE);
    }

    /** As {@link #decode(Tensor)}, reporting each decoded chunk; the video is on the CPU. */
    public Tensor decode(Tensor latents, DecodeProgress progress) {
        return decode(latents, progress, SpatialTiling.auto(latents.size(3), latents.size(4)));
    }

    /**
     * As {@link #decode(Tensor, DecodeProgress)}, decoding each frame in {@code tiling}'s spatial tiles (of the
     * latent, before unpatchify); the other overloads use {@link SpatialTiling#auto}.
     */
    public Tensor decode(Tensor latents, DecodeProgress progress, SpatialTiling tiling) {
        return Torch.clamp(unpatchify(decodeFrames(decoder, postQuantConv(latents), progress, tiling)), -1, 1);
    }

    /** The post-quant convolution after de-normalising (a parity stage). */
    public Tensor postQuantConv(Tensor latents) {
        return postQuantConv.forward(denormalize(latents), null).to(ScalarType.Float);
    }

    /** The decoder output before unpatchify, {@code [B, 12, T, 8H, 8W]} (a parity stage). */
    public Tensor decodePatches(Tensor latents) {
        return decodeFrames(decoder, postQuantConv(latents), DecodeProgress.NONE);
    }

    // ---------------------------------------------------------------- encode

    /** Encodes video {@code [B, 3, 1 + 4k, H, W]} in [-1, 1] to the normalised posterior mean {@code [B, z, 1 + k, H/16, W/16]}. */
    public Tensor encode(Tensor video) {
        return normalize(encodeMoments(video).narrow(1, 0, config.zDim()));
    }

    /** The quant-conv output {@code [mu; logvar]}, {@code [B, 2z, f, h, w]}. */
    public Tensor encodeMoments(Tensor video) {
        return quantConv.forward(encoderOutput(video), null).to(ScalarType.Float);
    }

    /** The encoder output before the quant convolution (a parity stage). */
    public Tensor encoderOutput(Tensor video) {
        checkFrames(video.size(2), config.temporalStride());
        return encodeChunks(encoder, patchify(video.to(ScalarType.Float)), config.temporalStride(), true);
    }

    /** {@code b c f (h q) (w r) -> b (c r q) f h w}: the column offset r is the more significant one. */
    Tensor patchify(Tensor x) {
        int p = config.patchSize();
        long b = x.size(0);
        long c = x.size(1);
        long f = x.size(2);
        long h = x.size(3) / p;
        long wd = x.size(4) / p;
        return x.reshape(b, c, f, h, p, wd, p).permute(0, 1, 6, 4, 2, 3, 5).reshape(b, c * p * p, f, h, wd);
    }

    /** {@code b (c r q) f h w -> b c f (h q) (w r)}, the inverse of {@link #patchify}. */
    Tensor unpatchify(Tensor x) {
        int p = config.patchSize();
        long b = x.size(0);
        long c = x.size(1) / (p * p);
        long f = x.size(2);
        long h = x.size(3);
        long wd = x.size(4);
        return x.reshape(b, c, p, p, f, h, wd).permute(0, 1, 4, 5, 3, 6, 2).reshape(b, c, f, h * p, wd * p);
    }

    // ---------------------------------------------------------------- structure

    private List<Layer> buildEncoder() {
        int[] mult = config.dimMult();
        int[] dims = new int[mult.length + 1];
        dims[0] = config.baseDim();
        for (int i = 0; i < mult.length; i++) {
            dims[i + 1] = config.baseDim() * mult[i];
        }
        int pixelChannels = 3 * config.patchSize() * config.patchSize();
        List<Layer> layers = new ArrayList<>();
        layers.add(new CachedConv(new CausalConv("encoder.conv_in", dims[0], pixelChannels, 3, 3, 3, 1, 1, 1, 1)));
        for (int i = 0; i < mult.length; i++) {
            boolean temporal = i < config.temporalDownsample().length && config.temporalDownsample()[i];
            layers.add(new DownBlock("encoder.down_blocks." + i + ".", dims[i], dims[i + 1], temporal,
                    i != mult.length - 1));
        }
        int top = dims[mult.length];
        addMiddle(layers, "encoder.mid_block.", top);
        layers.add(new Head("encoder.", top, 2 * config.zDim()));
        return layers;
    }

    private List<Layer> buildDecoder() {
        int[] mult = config.dimMult();
        int levels = mult.length;
        int[] dims = new int[levels + 1];
        dims[0] = config.decoderBaseDim() * mult[levels - 1];
        for (int i = 0; i < levels; i++) {
            dims[i + 1] = config.decoderBaseDim() * mult[levels - 1 - i];
        }
        boolean[] down = config.temporalDownsample();
        List<Layer> layers = new ArrayList<>();
        layers.add(new CachedConv(new CausalConv("decoder.conv_in", dims[0], config.zDim(), 3, 3, 3, 1, 1, 1, 1)));
        addMiddle(layers, "decoder.mid_block.", dims[0]);
        for (int i = 0; i < levels; i++) {
            // The decoder mirrors the encoder's temporal halvings: temperal_upsample = temperal_downsample[::-1].
            boolean temporal = i < down.length && down[down.length - 1 - i];
            layers.add(new UpBlock("decoder.up_blocks." + i + ".", dims[i], dims[i + 1], temporal, i != levels - 1));
        }
        layers.add(new Head("decoder.", dims[levels], 3L * config.patchSize() * config.patchSize()));
        return layers;
    }

    // ---------------------------------------------------------------- layers

    /** {@code Down_ResidualBlock}: residual blocks, an optional downsample, plus the average-pool shortcut. */
    private final class DownBlock implements Layer {
        private final List<Layer> main = new ArrayList<>();
        private final long in;
        private final long out;
        private final int factorT;
        private final int factorS;

        DownBlock(String prefix, long in, long out, boolean temporal, boolean spatial) {
            this.in = in;
            this.out = out;
            this.factorT = temporal ? 2 : 1;
            this.factorS = spatial ? 2 : 1;
            long dim = in;
            for (int r = 0; r < config.resBlocks(); r++) {
                main.add(new Residual(prefix + "resnets." + r + ".", dim, out));
                dim = out;
            }
            if (spatial) {
                main.add(new Downsample(prefix + "downsampler.", out, temporal));
            }
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            Tensor y = run(main, x, cache);
            return y.to(ScalarType.Float).add(avgDown(x.to(ScalarType.Float)));
        }

        /** {@code AvgDown3D}: fold each factorT x factorS x factorS block into channels, then average groups. */
        private Tensor avgDown(Tensor x) {
            long padT = (factorT - x.size(2) % factorT) % factorT;
            x = Torch.pad(x, 0, 0, 0, 0, padT, 0);
            long b = x.size(0);
            long t = x.size(2) / factorT;
            long h = x.size(3) / factorS;
            long wd = x.size(4) / factorS;
            long factor = (long) factorT * factorS * factorS;
            long group = in * factor / out;
            Tensor folded = x.reshape(b, in, t, factorT, h, factorS, wd, factorS)
                    .permute(0, 1, 3, 5, 7, 2, 4, 6)
                    .reshape(b, out, group, t, h, wd);
            return folded.mean(new long[] {2}, false, new ScalarTypeOptional());
        }
    }

    /** {@code Up_ResidualBlock}: residual blocks, an optional upsample, plus the duplicating shortcut. */
    private final class UpBlock implements Layer {
        private final List<Layer> main = new ArrayList<>();
        private final long in;
        private final long out;
        private final int factorT;
        private final boolean up;

        UpBlock(String prefix, long in, long out, boolean temporal, boolean up) {
            this.in = in;
            this.out = out;
            this.factorT = temporal ? 2 : 1;
            this.up = up;
            long dim = in;
            for (int r = 0; r < config.resBlocks() + 1; r++) {
                main.add(new Residual(prefix + "resnets." + r + ".", dim, out));
                dim = out;
            }
            if (up) {
                // Unlike Wan 2.1, the spatial convolution keeps the width (dim -> dim).
                main.add(new Upsample(prefix + "upsampler.", out, out, temporal));
            }
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            boolean first = cache.firstChunk();
            Tensor y = run(main, x, cache).to(ScalarType.Float);
            return up ? y.add(dupUp(x.to(ScalarType.Float), first)) : y;
        }

        /** {@code DupUp3D}: repeat channels, then unfold them into factorT x 2 x 2 blocks; the first chunk keeps its last frame. */
        private Tensor dupUp(Tensor x, boolean first) {
            int factorS = 2;
            long factor = (long) factorT * factorS * factorS;
            long repeats = out * factor / in;
            long b = x.size(0);
            long t = x.size(2);
            long h = x.size(3);
            long wd = x.size(4);
            Tensor repeated = x.unsqueeze(2).expand(b, in, repeats, t, h, wd).reshape(b, in * repeats, t, h, wd);
            Tensor y = repeated.reshape(b, out, factorT, factorS, factorS, t, h, wd)
                    .permute(0, 1, 5, 2, 6, 3, 7, 4)
                    .reshape(b, out, t * factorT, h * factorS, wd * factorS);
            return first ? y.narrow(2, factorT - 1, y.size(2) - (factorT - 1)) : y;
        }
    }
}
