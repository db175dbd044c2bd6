package dev.wanhybrid.engine.internal.vae;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Wan 2.2 video VAE ({@code WanVAE_} in {@code wan/modules/vae2_2.py}) with Diffusers tensor names: a 2x2
 * pixel patchify to 12 channels, residual down/up blocks whose shortcuts average-pool / duplicate across the
 * resampled axes, 48 latent channels and 4x16x16 compression. Encoding runs on frame chunks 1, 4, 4, ... and
 * decoding one latent frame at a time, with the causal feature cache of the official code.
 */
public final class Wan22Vae implements AutoCloseable {

    private static final int CACHE_T = 2;

    private final Wan22VaeConfig config;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, Tensor> w = new LinkedHashMap<>();
    private final ScalarType compute;
    private final List<Layer> encoder;
    private final List<Layer> decoder;
    private final CausalConv quantConv;
    private final CausalConv postQuantConv;

    private Wan22Vae(Wan22VaeConfig config, ScalarType compute) {
        this.config = config;
        this.compute = compute;
        this.encoder = buildEncoder();
        this.decoder = buildDecoder();
        this.quantConv = new CausalConv("quant_conv", 2L * config.zDim(), 2L * config.zDim(), 1, 1, 0, 0);
        this.postQuantConv = new CausalConv("post_quant_conv", config.zDim(), config.zDim(), 1, 1, 0, 0);
    }

    /** The Diffusers {@code AutoencoderKLWan} names and shapes for {@code config}. */
    public static Map<String, long[]> expectedShapes(Wan22VaeConfig config) {
        return new Wan22Vae(config, ScalarType.Float).shapes;
    }

    /** Loads the VAE onto {@code device} (null: CPU); convolutions run in {@code dtype}, norms in float32. */
    public static Wan22Vae load(Wan22VaeConfig config, WeightSource weights, DType dtype, Device device) {
        Wan22Vae vae = new Wan22Vae(config, dtype.torchType());
        vae.w.putAll(weights.load(vae.shapes, name -> false,
                name -> name.endsWith("gamma") ? DType.F32 : dtype, device));
        return vae;
    }

    public Wan22VaeConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- decode

    /** Decodes normalised latents {@code [B, z, F, H, W]} to video {@code [B, 3, 1 + 4(F-1), 16H, 16W]} in [-1, 1]. */
    public Tensor decode(Tensor latents) {
        return Torch.clamp(unpatchify(decodePatches(latents)), -1, 1);
    }

    /** The post-quant convolution after de-normalising (a parity stage). */
    public Tensor postQuantConv(Tensor latents) {
        Tensor z = latents.to(ScalarType.Float).div(channelVector(invStd(), latents)).add(channelVector(mean(), latents));
        return postQuantConv.forward(z, null).to(ScalarType.Float);
    }

    /** The decoder output before unpatchify, {@code [B, 12, T, 8H, 8W]} (a parity stage). */
    public Tensor decodePatches(Tensor latents) {
        Tensor x = postQuantConv(latents);
        FeatureCache cache = new FeatureCache();
        List<Tensor> frames = new ArrayList<>();
        try {
            for (long i = 0; i < x.size(2); i++) {
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind(i == 0);
                    frames.add(Torch.keep(run(decoder, x.narrow(2, i, 1), cache).to(ScalarType.Float)));
                }
            }
            return Torch.cat(2, frames.toArray(Tensor[]::new));
        } finally {
            frames.forEach(Torch::drop);
            cache.clear();
        }
    }

    // ---------------------------------------------------------------- encode

    /** Encodes video {@code [B, 3, 1 + 4k, H, W]} in [-1, 1] to the normalised posterior mean {@code [B, z, 1 + k, H/16, W/16]}. */
    public Tensor encode(Tensor video) {
        Tensor mu = encodeMoments(video).narrow(1, 0, config.zDim());
        return mu.sub(channelVector(mean(), mu)).mul(channelVector(invStd(), mu));
    }

    /** The quant-conv output {@code [mu; logvar]}, {@code [B, 2z, f, h, w]}. */
    public Tensor encodeMoments(Tensor video) {
        return quantConv.forward(encoderOutput(video), null).to(ScalarType.Float);
    }

    /** The encoder output before the quant convolution (a parity stage). */
    public Tensor encoderOutput(Tensor video) {
        long frames = video.size(2);
        int stride = config.temporalStride();
        if ((frames - 1) % stride != 0) {
            throw new IllegalArgumentException("video has " + frames + " frames; the VAE needs 1 + " + stride + "k");
        }
        Tensor x = patchify(video.to(ScalarType.Float));
        FeatureCache cache = new FeatureCache();
        List<Tensor> chunks = new ArrayList<>();
        try {
            long chunkCount = 1 + (frames - 1) / stride;
            for (long i = 0; i < chunkCount; i++) {
                long start = i == 0 ? 0 : 1 + stride * (i - 1);
                long length = i == 0 ? 1 : stride;
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind(i == 0);
                    chunks.add(Torch.keep(run(encoder, x.narrow(2, start, length), cache).to(ScalarType.Float)));
                }
            }
            return Torch.cat(2, chunks.toArray(Tensor[]::new));
        } finally {
            chunks.forEach(Torch::drop);
            cache.clear();
        }
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

    private Tensor mean() {
        return Torch.fromFloats(config.latentsMean(), config.latentsMean().length);
    }

    /** {@code 1/std} in float32, as the official wrapper stores it ({@code scale[1]}). */
    private Tensor invStd() {
        return Torch.fromFloats(config.latentsStd(), config.latentsStd().length).reciprocal();
    }

    private static Tensor channelVector(Tensor values, Tensor like) {
        return values.to(like.device(), ScalarType.Float).view(1, -1, 1, 1, 1);
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
        layers.add(new CachedConv(new CausalConv("encoder.conv_in", dims[0], pixelChannels, 3, 1, 1, 1)));
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
        layers.add(new CachedConv(new CausalConv("decoder.conv_in", dims[0], config.zDim(), 3, 1, 1, 1)));
        addMiddle(layers, "decoder.mid_block.", dims[0]);
        for (int i = 0; i < levels; i++) {
            // The decoder mirrors the encoder's temporal halvings: temperal_upsample = temperal_downsample[::-1].
            boolean temporal = i < down.length && down[down.length - 1 - i];
            layers.add(new UpBlock("decoder.up_blocks." + i + ".", dims[i], dims[i + 1], temporal, i != levels - 1));
        }
        layers.add(new Head("decoder.", dims[levels], 3L * config.patchSize() * config.patchSize()));
        return layers;
    }

    private void addMiddle(List<Layer> layers, String prefix, int dim) {
        layers.add(new Residual(prefix + "resnets.0.", dim, dim));
        layers.add(new Attention(prefix + "attentions.0.", dim));
        layers.add(new Residual(prefix + "resnets.1.", dim, dim));
    }

    private static Tensor run(List<Layer> layers, Tensor x, FeatureCache cache) {
        for (Layer layer : layers) {
            x = layer.forward(x, cache);
        }
        return x;
    }

    // ---------------------------------------------------------------- layers

    /** Per-chunk state of every cached convolution, visited in a fixed order, and whether this is the first chunk. */
    private static final class FeatureCache {
        private static final Tensor REP = new Tensor();
        private final List<Tensor> slots = new ArrayList<>();
        private int cursor;
        private boolean firstChunk;

        void rewind(boolean first) {
            cursor = 0;
            firstChunk = first;
        }

        int next() {
            if (cursor == slots.size()) {
                slots.add(null);
            }
            return cursor++;
        }

        Tensor get(int index) {
            return slots.get(index);
        }

        /** Stores a kept handle, dropping the one it replaces. */
        void put(int index, Tensor value) {
            Tensor old = slots.get(index);
            if (old != REP) {
                Torch.drop(old);
            }
            slots.set(index, value == REP ? REP : Torch.keep(value));
        }

        void clear() {
            for (Tensor t : slots) {
                if (t != REP) {
                    Torch.drop(t);
                }
            }
            slots.clear();
        }
    }

    private interface Layer {
        Tensor forward(Tensor x, FeatureCache cache);
    }

    /** {@code CausalConv3d}: all temporal padding goes in front, filled from the cache when one is given. */
    private final class CausalConv {
        private final String name;
        private final long[] stride;
        private final long timePad;
        private final long spacePad;

        CausalConv(String name, long out, long in, int k, int st, int pt, int ps) {
            this(name, out, in, new int[] {k, k, k}, st, pt, ps);
        }

        CausalConv(String name, long out, long in, int[] kernel, int st, int pt, int ps) {
            this.name = name;
            this.stride = new long[] {st, 1, 1};
            this.timePad = 2L * pt;
            this.spacePad = ps;
            shapes.put(name + ".weight", new long[] {out, in, kernel[0], kernel[1], kernel[2]});
            shapes.put(name + ".bias", new long[] {out});
        }

        Tensor forward(Tensor x, Tensor cached) {
            long front = timePad;
            if (cached != null && timePad > 0) {
                x = Torch.cat(2, cached.to(x.device(), x.scalar_type()), x);
                front -= cached.size(2);
            }
            Tensor padded = Torch.pad(x.to(compute), spacePad, spacePad, spacePad, spacePad, front, 0);
            return Torch.conv3d(padded, w.get(name + ".weight"), w.get(name + ".bias"), stride, new long[] {0, 0, 0});
        }
    }

    /** The official pattern around a cached conv: remember the input's last two frames for the next chunk. */
    private static Tensor cachedCall(CausalConv conv, Tensor x, FeatureCache cache) {
        int index = cache.next();
        Tensor previous = cache.get(index);
        long t = x.size(2);
        Tensor keep = x.narrow(2, Math.max(0, t - CACHE_T), Math.min(CACHE_T, t)).clone();
        if (keep.size(2) < CACHE_T && previous != null && previous != FeatureCache.REP) {
            keep = Torch.cat(2, previous.narrow(2, previous.size(2) - 1, 1).to(keep.device(), keep.scalar_type()), keep);
        }
        Tensor out = conv.forward(x, previous);
        cache.put(index, keep);
        return out;
    }

    private record CachedConv(CausalConv conv) implements Layer {
        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            return cachedCall(conv, x, cache);
        }
    }

    /** {@code RMS_norm}: L2-normalise over channels, times sqrt(channels) and gamma. */
    private Tensor rmsNorm(Tensor x, String gamma, long channels) {
        Tensor xf = x.to(ScalarType.Float);
        Tensor norm = torch.linalg_vector_norm(xf, s(2), new long[] {1}, true, new ScalarTypeOptional())
                .clamp_min(s(1e-12));
        return xf.div(norm).mul(s(Math.sqrt(channels))).mul(w.get(gamma));
    }

    private final class Residual implements Layer {
        private final String prefix;
        private final long in;
        private final long out;
        private final CausalConv conv1;
        private final CausalConv conv2;
        private final CausalConv shortcut;

        Residual(String prefix, long in, long out) {
            this.prefix = prefix;
            this.in = in;
            this.out = out;
            shapes.put(prefix + "norm1.gamma", new long[] {in, 1, 1, 1});
            this.conv1 = new CausalConv(prefix + "conv1", out, in, 3, 1, 1, 1);
            shapes.put(prefix + "norm2.gamma", new long[] {out, 1, 1, 1});
            this.conv2 = new CausalConv(prefix + "conv2", out, out, 3, 1, 1, 1);
            this.shortcut = in != out ? new CausalConv(prefix + "conv_shortcut", out, in, 1, 1, 0, 0) : null;
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            Tensor h = shortcut != null ? shortcut.forward(x, null).to(ScalarType.Float) : x.to(ScalarType.Float);
            Tensor r = torch.silu(rmsNorm(x, prefix + "norm1.gamma", in));
            r = cachedCall(conv1, r, cache);
            r = torch.silu(rmsNorm(r, prefix + "norm2.gamma", out));
            r = cachedCall(conv2, r, cache);
            return r.to(ScalarType.Float).add(h);
        }
    }

    /** Single-head spatial self-attention per frame. */
    private final class Attention implements Layer {
        private final String prefix;
        private final long dim;

        Attention(String prefix, long dim) {
            this.prefix = prefix;
            this.dim = dim;
            shapes.put(prefix + "norm.gamma", new long[] {dim, 1, 1});
            shapes.put(prefix + "to_qkv.weight", new long[] {3 * dim, dim, 1, 1});
            shapes.put(prefix + "to_qkv.bias", new long[] {3 * dim});
            shapes.put(prefix + "proj.weight", new long[] {dim, dim, 1, 1});
            shapes.put(prefix + "proj.bias", new long[] {dim});
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            long b = x.size(0);
            long t = x.size(2);
            long h = x.size(3);
            long wd = x.size(4);
            Tensor identity = x.to(ScalarType.Float);
            Tensor frames = identity.permute(0, 2, 1, 3, 4).reshape(b * t, dim, h, wd);
            Tensor normed = rmsNorm(frames, prefix + "norm.gamma", dim);
            Tensor qkv = Torch.conv2d(normed.to(compute), w.get(prefix + "to_qkv.weight"),
                    w.get(prefix + "to_qkv.bias"), new long[] {1, 1}, new long[] {0, 0});
            Tensor tokens = qkv.reshape(b * t, 1, 3 * dim, h * wd).permute(0, 1, 3, 2).contiguous();
            Tensor q = tokens.narrow(3, 0, dim);
            Tensor k = tokens.narrow(3, dim, dim);
            Tensor v = tokens.narrow(3, 2 * dim, dim);
            Tensor attended = torch.scaled_dot_product_attention(q, k, v);
            Tensor back = attended.squeeze(1).permute(0, 2, 1).reshape(b * t, dim, h, wd);
            Tensor projected = Torch.conv2d(back, w.get(prefix + "proj.weight"), w.get(prefix + "proj.bias"),
                    new long[] {1, 1}, new long[] {0, 0}).to(ScalarType.Float);
            return projected.reshape(b, t, dim, h, wd).permute(0, 2, 1, 3, 4).add(identity);
        }
    }

    private final class Head implements Layer {
        private final String prefix;
        private final long in;
        private final CausalConv conv;

        Head(String prefix, long in, long out) {
            this.prefix = prefix;
            this.in = in;
            shapes.put(prefix + "norm_out.gamma", new long[] {in, 1, 1, 1});
            this.conv = new CausalConv(prefix + "conv_out", out, in, 3, 1, 1, 1);
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            return cachedCall(conv, torch.silu(rmsNorm(x, prefix + "norm_out.gamma", in)), cache);
        }
    }

    /** Applies a 2-D layer to every frame of {@code [B, C, T, H, W]}. */
    private static Tensor perFrame(Tensor x, java.util.function.UnaryOperator<Tensor> op) {
        long b = x.size(0);
        long t = x.size(2);
        Tensor frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, x.size(1), x.size(3), x.size(4));
        Tensor out = op.apply(frames);
        return out.reshape(b, t, out.size(1), out.size(2), out.size(3)).permute(0, 2, 1, 3, 4);
    }

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
                main.add(new Upsample(prefix + "upsampler.", out, temporal));
            }
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            boolean first = cache.firstChunk;
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

    private final class Downsample implements Layer {
        private final String prefix;
        private final CausalConv timeConv;

        Downsample(String prefix, long dim, boolean temporal) {
            this.prefix = prefix;
            shapes.put(prefix + "resample.1.weight", new long[] {dim, dim, 3, 3});
            shapes.put(prefix + "resample.1.bias", new long[] {dim});
            this.timeConv = temporal
                    ? new CausalConv(prefix + "time_conv", dim, dim, new int[] {3, 1, 1}, 2, 0, 0)
                    : null;
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            // ZeroPad2d((0, 1, 0, 1)) then a stride-2 3x3 convolution.
            Tensor y = perFrame(x, f -> Torch.conv2d(Torch.pad(f.to(compute), 0, 1, 0, 1),
                    w.get(prefix + "resample.1.weight"), w.get(prefix + "resample.1.bias"), new long[] {2, 2},
                    new long[] {0, 0}).to(ScalarType.Float));
            if (timeConv == null) {
                return y;
            }
            int index = cache.next();
            Tensor previous = cache.get(index);
            if (previous == null) {
                // First chunk: one frame passes through; it seeds the cache.
                cache.put(index, y);
                return y;
            }
            Tensor keep = y.narrow(2, y.size(2) - 1, 1).clone();
            Tensor joined = Torch.cat(2, previous.narrow(2, previous.size(2) - 1, 1).to(y.device(), y.scalar_type()), y);
            Tensor out = timeConv.forward(joined, null).to(ScalarType.Float);
            cache.put(index, keep);
            return out;
        }
    }

    private final class Upsample implements Layer {
        private final String prefix;
        private final long dim;
        private final CausalConv timeConv;

        Upsample(String prefix, long dim, boolean temporal) {
            this.prefix = prefix;
            this.dim = dim;
            // Unlike Wan 2.1, the spatial convolution keeps the width (dim -> dim).
            shapes.put(prefix + "resample.1.weight", new long[] {dim, dim, 3, 3});
            shapes.put(prefix + "resample.1.bias", new long[] {dim});
            this.timeConv = temporal
                    ? new CausalConv(prefix + "time_conv", 2 * dim, dim, new int[] {3, 1, 1}, 1, 1, 0)
                    : null;
        }

        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            if (timeConv != null) {
                x = temporalUpsample(x, cache);
            }
            return perFrame(x, f -> {
                long n = f.size(0);
                long c = f.size(1);
                long h = f.size(2);
                long wd = f.size(3);
                // Nearest-exact 2x equals repeating every pixel twice along both axes.
                Tensor upsampled = f.reshape(n, c, h, 1, wd, 1).expand(n, c, h, 2, wd, 2).reshape(n, c, 2 * h, 2 * wd);
                return Torch.conv2d(upsampled.to(compute), w.get(prefix + "resample.1.weight"),
                        w.get(prefix + "resample.1.bias"), new long[] {1, 1}, new long[] {1, 1}).to(ScalarType.Float);
            });
        }

        private Tensor temporalUpsample(Tensor x, FeatureCache cache) {
            int index = cache.next();
            Tensor previous = cache.get(index);
            if (previous == null) {
                // First chunk: the single first frame is not doubled ("Rep" marker upstream).
                cache.put(index, FeatureCache.REP);
                return x;
            }
            long t = x.size(2);
            Tensor keep = x.narrow(2, Math.max(0, t - CACHE_T), Math.min(CACHE_T, t)).clone();
            if (keep.size(2) < CACHE_T) {
                Tensor before = previous == FeatureCache.REP ? torch.zeros_like(keep)
                        : previous.narrow(2, previous.size(2) - 1, 1).to(keep.device(), keep.scalar_type());
                keep = Torch.cat(2, before, keep);
            }
            Tensor y = timeConv.forward(x, previous == FeatureCache.REP ? null : previous).to(ScalarType.Float);
            cache.put(index, keep);
            long b = x.size(0);
            long h = x.size(3);
            long wd = x.size(4);
            // Channels [0, C) are the even output frames and [C, 2C) the odd ones.
            return y.reshape(b, 2, dim, t, h, wd).permute(0, 2, 3, 1, 4, 5).reshape(b, dim, 2 * t, h, wd);
        }
    }

    @Override
    public void close() {
        w.values().forEach(Tensor::close);
        w.clear();
    }
}
