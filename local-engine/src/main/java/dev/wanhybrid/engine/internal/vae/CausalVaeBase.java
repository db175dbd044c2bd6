package dev.wanhybrid.engine.internal.vae;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The building blocks the Wan 2.1 and Wan 2.2 causal video VAEs share ({@code wan/modules/vae.py} and
 * {@code vae2_2.py}): causal 3-D convolutions with the two-frame feature cache, RMS norms, residual and attention
 * blocks, the output head and the spatial/temporal resamplers. Subclasses wire them into their encoder and
 * decoder; layers register their Diffusers tensor names and shapes in {@link #shapes} as they are built.
 */
abstract class CausalVaeBase implements AutoCloseable {

    static final int CACHE_T = 2;

    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final Map<String, Tensor> w = new LinkedHashMap<>();
    final ScalarType compute;
    CausalConv quantConv;
    CausalConv postQuantConv;
    private final float[] latentsMean;
    private final float[] latentsStd;

    CausalVaeBase(ScalarType compute, float[] latentsMean, float[] latentsStd) {
        this.compute = compute;
        this.latentsMean = latentsMean;
        this.latentsStd = latentsStd;
    }

    /** Registers the 1x1x1 quant and post-quant convolutions; subclasses call it after building the decoder. */
    final void addQuantConvs(int zDim) {
        quantConv = new CausalConv("quant_conv", 2L * zDim, 2L * zDim, 1, 1, 1, 1, 0, 0, 0);
        postQuantConv = new CausalConv("post_quant_conv", zDim, zDim, 1, 1, 1, 1, 0, 0, 0);
    }

    /** Loads every registered weight onto {@code device} (null: CPU) in {@code dtype}, the norms' gammas in float32. */
    void loadWeights(WeightSource weights, DType dtype, Device device) {
        w.putAll(weights.load(shapes, name -> false, name -> name.endsWith("gamma") ? DType.F32 : dtype, device));
    }

    private Tensor mean() {
        return Torch.fromFloats(latentsMean, latentsMean.length);
    }

    /** {@code 1/std} in float32, as the official wrapper stores it ({@code scale[1]}). */
    private Tensor invStd() {
        return Torch.fromFloats(latentsStd, latentsStd.length).reciprocal();
    }

    /** Posterior mean {@code mu} to normalised latents: {@code (mu - mean) / std}. */
    Tensor normalize(Tensor mu) {
        return mu.sub(channelVector(mean(), mu)).mul(channelVector(invStd(), mu));
    }

    /** Normalised latents back to the decoder's input scale, in float32. */
    Tensor denormalize(Tensor latents) {
        return latents.to(ScalarType.Float).div(channelVector(invStd(), latents)).add(channelVector(mean(), latents));
    }

    /**
     * Runs {@code encoder} on the frame chunks 1, stride, stride, ... of {@code x} with one feature cache, each
     * chunk in its own scope, and concatenates the outputs along time.
     *
     * @param floatChunks convert every chunk's output to float32 before concatenating
     */
    static Tensor encodeChunks(List<Layer> encoder, Tensor x, int stride, boolean floatChunks) {
        long frames = x.size(2);
        checkFrames(frames, stride);
        FeatureCache cache = new FeatureCache();
        List<Tensor> chunks = new ArrayList<>();
        try {
            long chunkCount = 1 + (frames - 1) / stride;
            for (long i = 0; i < chunkCount; i++) {
                long start = i == 0 ? 0 : 1 + stride * (i - 1);
                long length = i == 0 ? 1 : stride;
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind(i == 0);
                    Tensor out = run(encoder, x.narrow(2, start, length), cache);
                    chunks.add(Torch.keep(floatChunks ? out.to(ScalarType.Float) : out));
                }
            }
            return Torch.cat(2, chunks.toArray(Tensor[]::new));
        } finally {
            chunks.forEach(Torch::drop);
            cache.clear();
        }
    }

    static void checkFrames(long frames, int stride) {
        if ((frames - 1) % stride != 0) {
            throw new IllegalArgumentException("video has " + frames + " frames; the VAE needs 1 + " + stride + "k");
        }
    }

    /**
     * Runs {@code decoder} one latent frame at a time with one feature cache, each chunk in its own scope and
     * moved to the CPU as soon as it is decoded (the device holds one chunk's activations and the cache, never the
     * whole video); returns float32 on the CPU, concatenated along time.
     *
     * @throws java.util.concurrent.CancellationException when the thread is interrupted before a chunk
     */
    /** As {@link #decodeFrames(List, Tensor, DecodeProgress)}, in spatial tiles where {@code tiling} splits the frame. */
    static Tensor decodeFrames(List<Layer> decoder, Tensor x, DecodeProgress progress, SpatialTiling tiling) {
        return tiling.splits(x.size(3), x.size(4))
                ? tiling.decode(x, (tile, tileProgress) -> decodeFrames(decoder, tile, tileProgress), progress)
                : decodeFrames(decoder, x, progress);
    }

    static Tensor decodeFrames(List<Layer> decoder, Tensor x, DecodeProgress progress) {
        FeatureCache cache = new FeatureCache();
        List<Tensor> frames = new ArrayList<>();
        Device cpu = new Device(torch.kCPU());
        int total = (int) x.size(2);
        try {
            for (int i = 0; i < total; i++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("generation cancelled before VAE chunk "
                            + (i + 1) + " of " + total);
                }
                try (PointerScope scope = new PointerScope()) {
                    cache.rewind(i == 0);
                    frames.add(Torch.keep(run(decoder, x.narrow(2, i, 1), cache).to(cpu, ScalarType.Float)));
                }
                progress.chunkDecoded(i + 1, total);
            }
            return Torch.cat(2, frames.toArray(Tensor[]::new));
        } finally {
            frames.forEach(Torch::drop);
            cache.clear();
        }
    }

    static Tensor channelVector(Tensor values, Tensor like) {
        return values.to(like.device(), ScalarType.Float).view(1, -1, 1, 1, 1);
    }

    static Tensor run(List<Layer> layers, Tensor x, FeatureCache cache) {
        for (Layer layer : layers) {
            x = layer.forward(x, cache);
        }
        return x;
    }

    /**
     * Per-chunk state of every cached convolution, visited in a fixed order, and whether the chunk is the first
     * (Wan 2.2's duplicating shortcut drops its leading frame there).
     */
    static final class FeatureCache {
        static final Tensor REP = new Tensor();
        private final List<Tensor> slots = new ArrayList<>();
        private int cursor;
        private boolean firstChunk;

        void rewind() {
            rewind(false);
        }

        void rewind(boolean first) {
            cursor = 0;
            firstChunk = first;
        }

        boolean firstChunk() {
            return firstChunk;
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

    interface Layer {
        Tensor forward(Tensor x, FeatureCache cache);
    }

    /** {@code CausalConv3d}: all temporal padding goes in front, filled from the cache when one is given. */
    final class CausalConv {
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
    static Tensor cachedCall(CausalConv conv, Tensor x, FeatureCache cache) {
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

    record CachedConv(CausalConv conv) implements Layer {
        @Override
        public Tensor forward(Tensor x, FeatureCache cache) {
            return cachedCall(conv, x, cache);
        }
    }

    /** {@code RMS_norm}: L2-normalise over channels, times sqrt(channels) and gamma. */
    Tensor rmsNorm(Tensor x, String gamma, long channels) {
        Tensor xf = x.to(ScalarType.Float);
        Tensor norm = torch.linalg_vector_norm(xf, s(2), new long[] {1}, true, new ScalarTypeOptional())
                .clamp_min(s(1e-12));
        return xf.div(norm).mul(s(Math.sqrt(channels))).mul(w.get(gamma));
    }

    final class Residual implements Layer {
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
    final class Attention implements Layer {
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

    /** Middle block: residual, attention, residual. */
    void addMiddle(List<Layer> layers, String prefix, int dim) {
        layers.add(new Residual(prefix + "resnets.0.", dim, dim));
        layers.add(new Attention(prefix + "attentions.0.", dim));
        layers.add(new Residual(prefix + "resnets.1.", dim, dim));
    }

    final class Head implements Layer {
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
    static Tensor perFrame(Tensor x, UnaryOperator<Tensor> op) {
        long b = x.size(0);
        long t = x.size(2);
        Tensor frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, x.size(1), x.size(3), x.size(4));
        Tensor out = op.apply(frames);
        return out.reshape(b, t, out.size(1), out.size(2), out.size(3)).permute(0, 2, 1, 3, 4);
    }

    final class Downsample implements Layer {
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

    /**
     * Nearest 2x upsampling with a 3x3 convolution to {@code outDim} channels (Wan 2.1 halves the width here,
     * Wan 2.2 keeps it), optionally preceded by the causal temporal doubling.
     */
    final class Upsample implements Layer {
        private final String prefix;
        private final long dim;
        private final CausalConv timeConv;

        Upsample(String prefix, long dim, long outDim, boolean temporal) {
            this.prefix = prefix;
            this.dim = dim;
            shapes.put(prefix + "resample.1.weight", new long[] {outDim, dim, 3, 3});
            shapes.put(prefix + "resample.1.bias", new long[] {outDim});
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
