package dev.wanhybrid.engine.internal.vae;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import dev.wanhybrid.engine.internal.weights.DType;
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
 * The Wan 2.1 causal video VAE ({@code WanVAE_} in {@code wan/modules/vae.py}) with Diffusers tensor names:
 * causal 3-D convolutions, decoding one latent frame at a time (encoding 1 + 4k frames at a time) with a
 * feature cache that carries the last two frames of every cached convolution's input to the next chunk.
 */
public final class WanVae implements AutoCloseable {

    private static final int CACHE_T = 2;

    private final WanVaeConfig config;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, Tensor> w = new LinkedHashMap<>();
    private final ScalarType compute;
    private final Block encoder;
    private final Block decoder;
    private final CausalConv quantConv;
    private final CausalConv postQuantConv;

    private WanVae(WanVaeConfig config, ScalarType compute) {
        this.config = config;
        this.compute = compute;
        this.encoder = buildEncoder();
        this.decoder = buildDecoder();
        this.quantConv = new CausalConv("quant_conv", 2L * config.zDim(), 2L * config.zDim(), 1, 1, 1, 1, 0, 0, 0);
        this.postQuantConv = new CausalConv("post_quant_conv", config.zDim(), config.zDim(), 1, 1, 1, 1, 0, 0, 0);
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
        vae.w.putAll(weights.load(vae.shapes, name -> false,
                name -> name.endsWith("gamma") ? DType.F32 : dtype, device));
        return vae;
    }

    public WanVaeConfig config() {
        return config;
    }

    /**
     * Decodes normalised latents {@code [B, z, F, H, W]} to video {@code [B, 3, 1 + 4(F-1), 8H, 8W]} in [-1, 1].
     */
    public Tensor decode(Tensor latents) {
        return decode(latents, true);
    }

    /** As {@link #decode(Tensor)}; {@code clamp=false} returns the raw decoder output. */
    public Tensor decode(Tensor latents, boolean clamp) {
        Tensor z = latents.to(ScalarType.Float).div(channelVector(invStd(), latents)).add(channelVector(mean(), latents));
        Tensor x = postQuantConv.forward(z, null);
        FeatureCache cache = new FeatureCache();
        List<Tensor> frames = new ArrayList<>();
        try {
            for (long i = 0; i < x.size(2); i++) {
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind();
                    frames.add(Torch.keep(decoder.forward(x.narrow(2, i, 1), cache).to(ScalarType.Float)));
                }
            }
            Tensor video = Torch.cat(2, frames.toArray(Tensor[]::new));
            return clamp ? Torch.clamp(video, -1, 1) : video;
        } finally {
            frames.forEach(Torch::drop);
            cache.clear();
        }
    }

    /** Post-quant convolution output for normalised latents (a debug stage of the parity tests). */
    public Tensor postQuantConv(Tensor latents) {
        Tensor z = latents.to(ScalarType.Float).div(channelVector(invStd(), latents)).add(channelVector(mean(), latents));
        return postQuantConv.forward(z, null).to(ScalarType.Float);
    }

    /** Encodes video {@code [B, 3, 1 + 4k, H, W]} in [-1, 1] to the normalised posterior mean. */
    public Tensor encode(Tensor video) {
        Tensor mu = encodeMoments(video).narrow(1, 0, config.zDim());
        return mu.sub(channelVector(mean(), mu)).mul(channelVector(invStd(), mu));
    }

    /** The quant-conv output {@code [mu; logvar]}, {@code [B, 2z, F, H/8, W/8]}. */
    public Tensor encodeMoments(Tensor video) {
        long frames = video.size(2);
        int stride = config.temporalStride();
        if ((frames - 1) % stride != 0) {
            throw new IllegalArgumentException("video has " + frames + " frames; the VAE needs 1 + " + stride + "k");
        }
        FeatureCache cache = new FeatureCache();
        List<Tensor> chunks = new ArrayList<>();
        try {
            long chunkCount = 1 + (frames - 1) / stride;
            for (long i = 0; i < chunkCount; i++) {
                long start = i == 0 ? 0 : 1 + stride * (i - 1);
                long length = i == 0 ? 1 : stride;
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind();
                    chunks.add(Torch.keep(encoder.forward(video.narrow(2, start, length), cache)));
                }
            }
            Tensor out = Torch.cat(2, chunks.toArray(Tensor[]::new));
            return quantConv.forward(out, null).to(ScalarType.Float);
        } finally {
            chunks.forEach(Torch::drop);
            cache.clear();
        }
    }

    private Tensor mean() {
        return Torch.fromFloats(config.latentsMean(), config.latentsMean().length);
    }

    /** {@code 1/std} in float32, as the official wrapper stores it. */
    private Tensor invStd() {
        return Torch.fromFloats(config.latentsStd(), config.latentsStd().length).reciprocal();
    }

    private static Tensor channelVector(Tensor values, Tensor like) {
        return values.to(like.device(), ScalarType.Float).view(1, -1, 1, 1, 1);
    }

    // ---------------------------------------------------------------- structure

    private Block buildEncoder() {
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
        return new Block(layers);
    }

    private Block buildDecoder() {
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
                layers.add(new Upsample("decoder.up_blocks." + i + ".upsamplers.0.", out, temporal));
            }
        }
        layers.add(new Head("decoder.", dims[levels], 3));
        return new Block(layers);
    }

    private void addMiddle(List<Layer> layers, String prefix, int dim) {
        layers.add(new Residual(prefix + "resnets.0.", dim, dim));
        layers.add(new Attention(prefix + "attentions.0.", dim));
        layers.add(new Residual(prefix + "resnets.1.", dim, dim));
    }

    // ---------------------------------------------------------------- layers

    /** Per-chunk state of every cached convolution, visited in a fixed order. */
    private static final class FeatureCache {
        private static final Tensor REP = new Tensor();
        private final List<Tensor> slots = new ArrayList<>();
        private int cursor;

        void rewind() {
            cursor = 0;
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

    private record Block(List<Layer> layers) {
        Tensor forward(Tensor x, FeatureCache cache) {
            for (Layer layer : layers) {
                x = layer.forward(x, cache);
            }
            return x;
        }
    }

    /** {@code CausalConv3d}: all temporal padding goes in front, filled from the cache when one is given. */
    private final class CausalConv {
        private final String name;
        private final long[] stride;
        private final long timePad;
        private final long heightPad;
        private final long widthPad;

        CausalConv(String name, long out, long in, int kt, int kh, int kw, int st, int pt, int ph, int pw) {
            this(name, out, in, new int[] {kt, kh, kw}, new int[] {st, 1, 1}, pt, ph, pw);
        }

        CausalConv(String name, long out, long in, int[] kernel, int[] stride, int pt, int ph, int pw) {
            this.name = name;
            this.stride = new long[] {stride[0], stride[1], stride[2]};
            this.timePad = 2L * pt;
            this.heightPad = ph;
            this.widthPad = pw;
            shapes.put(name + ".weight", new long[] {out, in, kernel[0], kernel[1], kernel[2]});
            shapes.put(name + ".bias", new long[] {out});
        }

        Tensor forward(Tensor x, Tensor cached) {
            long front = timePad;
            if (cached != null && timePad > 0) {
                x = Torch.cat(2, cached.to(x.device(), x.scalar_type()), x);
                front -= cached.size(2);
            }
            Tensor padded = Torch.pad(x.to(compute), widthPad, widthPad, heightPad, heightPad, front, 0);
            return Torch.conv3d(padded, w.get(name + ".weight"), w.get(name + ".bias"), stride, new long[] {0, 0, 0});
        }
    }

    /** The official pattern around a cached conv: remember the input's last two frames for the next chunk. */
    private static Tensor cachedCall(CausalConv conv, Tensor x, FeatureCache cache) {
        int index = cache.next();
        Tensor previous = cache.get(index);
        Tensor keep = lastFrames(x, previous);
        Tensor out = conv.forward(x, previous);
        cache.put(index, keep);
        return out;
    }

    private static Tensor lastFrames(Tensor x, Tensor previous) {
        long t = x.size(2);
        Tensor keep = x.narrow(2, Math.max(0, t - CACHE_T), Math.min(CACHE_T, t)).clone();
        if (keep.size(2) < CACHE_T && previous != null && previous != FeatureCache.REP) {
            keep = Torch.cat(2, previous.narrow(2, previous.size(2) - 1, 1).to(keep.device(), keep.scalar_type()), keep);
        }
        return keep;
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
            this.conv1 = new CausalConv(prefix + "conv1", out, in, 3, 3, 3, 1, 1, 1, 1);
            shapes.put(prefix + "norm2.gamma", new long[] {out, 1, 1, 1});
            this.conv2 = new CausalConv(prefix + "conv2", out, out, 3, 3, 3, 1, 1, 1, 1);
            this.shortcut = in != out ? new CausalConv(prefix + "conv_shortcut", out, in, 1, 1, 1, 1, 0, 0, 0) : null;
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
            Tensor qkv = Torch.conv2d(normed.to(compute), w.get(prefix + "to_qkv.weight"), w.get(prefix + "to_qkv.bias"),
                    new long[] {1, 1}, new long[] {0, 0});
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
            this.conv = new CausalConv(prefix + "conv_out", out, in, 3, 3, 3, 1, 1, 1, 1);
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

    private final class Downsample implements Layer {
        private final String prefix;
        private final CausalConv timeConv;

        Downsample(String prefix, long dim, boolean temporal) {
            this.prefix = prefix;
            shapes.put(prefix + "resample.1.weight", new long[] {dim, dim, 3, 3});
            shapes.put(prefix + "resample.1.bias", new long[] {dim});
            this.timeConv = temporal
                    ? new CausalConv(prefix + "time_conv", dim, dim, new int[] {3, 1, 1}, new int[] {2, 1, 1}, 0, 0, 0)
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
            shapes.put(prefix + "resample.1.weight", new long[] {dim / 2, dim, 3, 3});
            shapes.put(prefix + "resample.1.bias", new long[] {dim / 2});
            this.timeConv = temporal ? new CausalConv(prefix + "time_conv", 2 * dim, dim, 3, 1, 1, 1, 1, 0, 0) : null;
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
                Tensor up = f.reshape(n, c, h, 1, wd, 1).expand(n, c, h, 2, wd, 2).reshape(n, c, 2 * h, 2 * wd);
                return Torch.conv2d(up.to(compute), w.get(prefix + "resample.1.weight"),
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
