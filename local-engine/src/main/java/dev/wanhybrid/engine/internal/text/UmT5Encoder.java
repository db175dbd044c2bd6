package dev.wanhybrid.engine.internal.text;

import static dev.wanhybrid.engine.internal.torch.Torch.linear;
import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import dev.wanhybrid.engine.internal.weights.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The umT5 text encoder as Wan uses it ({@code wan/modules/t5.py}, encoder only): RMS-normed pre-norm blocks,
 * unscaled attention with a per-layer relative-position bias, tanh-GELU gated feed-forward.
 */
public final class UmT5Encoder implements AutoCloseable {

    private final UmT5Config config;
    private final Map<String, Tensor> w;
    private final ScalarType dtype;

    private UmT5Encoder(UmT5Config config, Map<String, Tensor> weights, ScalarType dtype) {
        this.config = config;
        this.w = new java.util.LinkedHashMap<>(weights);
        this.dtype = dtype;
    }

    /** The transformers {@code UMT5EncoderModel} tensor names and shapes this encoder needs. */
    public static Map<String, long[]> expectedShapes(UmT5Config c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("shared.weight", new long[] {c.vocab(), c.dim()});
        for (int i = 0; i < c.layers(); i++) {
            String a = "encoder.block." + i + ".layer.0.";
            shapes.put(a + "layer_norm.weight", new long[] {c.dim()});
            for (String p : List.of("q", "k", "v")) {
                shapes.put(a + "SelfAttention." + p + ".weight", new long[] {c.innerDim(), c.dim()});
            }
            shapes.put(a + "SelfAttention.o.weight", new long[] {c.dim(), c.innerDim()});
            shapes.put(a + "SelfAttention.relative_attention_bias.weight", new long[] {c.buckets(), c.heads()});
            String f = "encoder.block." + i + ".layer.1.";
            shapes.put(f + "layer_norm.weight", new long[] {c.dim()});
            shapes.put(f + "DenseReluDense.wi_0.weight", new long[] {c.ffnDim(), c.dim()});
            shapes.put(f + "DenseReluDense.wi_1.weight", new long[] {c.ffnDim(), c.dim()});
            shapes.put(f + "DenseReluDense.wo.weight", new long[] {c.dim(), c.ffnDim()});
        }
        shapes.put("encoder.final_layer_norm.weight", new long[] {c.dim()});
        return shapes;
    }

    /** Loads the encoder from a {@code text_encoder/} folder in {@code dtype}. */
    public static UmT5Encoder load(UmT5Config config, WeightSource weights, DType dtype) {
        return load(config, weights, dtype, null);
    }

    /** Loads the encoder onto {@code device} (null: CPU). */
    public static UmT5Encoder load(UmT5Config config, WeightSource weights, DType dtype, Device device) {
        // transformers ties encoder.embed_tokens to shared; a checkpoint may store both.
        Map<String, Tensor> tensors = weights.load(expectedShapes(config),
                name -> name.equals("encoder.embed_tokens.weight"), name -> dtype, device);
        return new UmT5Encoder(config, tensors, dtype.torchType());
    }

    public UmT5Config config() {
        return config;
    }

    /**
     * Encodes a padded batch: {@code ids} and {@code mask} are int64 {@code [B, L]}; returns
     * {@code [B, L, dim]} float32 (the official {@code last_hidden_state}).
     */
    public Tensor encode(Tensor ids, Tensor mask) {
        return encode(ids, mask, (name, t) -> {});
    }

    /** As {@link #encode(Tensor, Tensor)}, reporting intermediate activations to {@code probe} by name. */
    public Tensor encode(Tensor ids, Tensor mask, java.util.function.BiConsumer<String, Tensor> probe) {
        long batch = ids.size(0);
        long length = ids.size(1);
        Tensor x = torch.embedding(w.get("shared.weight"), ids);
        probe.accept("token_embedding", x);
        // Padding keys get the most negative float added, exactly as the official masked_fill does.
        Tensor keyMask = mask.eq(s(0)).to(dtype).mul(s(lowest(dtype))).view(batch, 1, 1, length);
        Tensor buckets = relativeBuckets(length).to(ids.device(), ScalarType.Long);
        // One scope per layer: only the hidden states cross layers (24 layers of umT5-XXL otherwise pile up).
        Tensor hidden = Torch.keep(x);
        try {
            for (int i = 0; i < config.layers(); i++) {
                Tensor in = hidden;
                int layer = i;
                Tensor posBias = Torch.inScope(() -> torch.embedding(
                        w.get("encoder.block." + layer + ".layer.0.SelfAttention.relative_attention_bias.weight"),
                        buckets).permute(2, 0, 1).unsqueeze(0));
                Tensor next;
                try {
                    // Probed outside the layer's scope, so a probe may keep what it is given.
                    probe.accept("blocks." + i + ".rel_pos_bias", posBias);
                    next = Torch.inScope(() -> layer(layer, in, posBias.add(keyMask)));
                } finally {
                    Torch.drop(posBias);
                }
                Torch.drop(hidden);
                hidden = next;
                probe.accept("blocks." + i + ".out", hidden);
            }
            Tensor out = rmsNorm(hidden, w.get("encoder.final_layer_norm.weight"));
            return out.to(ScalarType.Float);
        } finally {
            Torch.drop(hidden);
        }
    }

    /** One encoder layer (self-attention with {@code bias}, then the gated-GELU FFN), returning new hidden states. */
    private Tensor layer(int i, Tensor x, Tensor bias) {
        String a = "encoder.block." + i + ".layer.0.";
        Tensor h = rmsNorm(x, w.get(a + "layer_norm.weight"));
        Tensor y = x.add(attention(h, bias, a + "SelfAttention."));
        String f = "encoder.block." + i + ".layer.1.";
        h = rmsNorm(y, w.get(f + "layer_norm.weight"));
        Tensor gate = torch.gelu(linear(h, w.get(f + "DenseReluDense.wi_0.weight"), null), "tanh");
        Tensor up = linear(h, w.get(f + "DenseReluDense.wi_1.weight"), null);
        return y.add(linear(up.mul(gate), w.get(f + "DenseReluDense.wo.weight"), null));
    }

    /** {@code torch.finfo(dtype).min}. */
    private static double lowest(ScalarType type) {
        return switch (type) {
            case BFloat16 -> -3.3895313892515355e38;
            case Half -> -65504.0;
            case Double -> -Double.MAX_VALUE;
            default -> -Float.MAX_VALUE;
        };
    }

    private Tensor attention(Tensor h, Tensor bias, String prefix) {
        long b = h.size(0);
        long l = h.size(1);
        long n = config.heads();
        long d = config.headDim();
        Tensor q = linear(h, w.get(prefix + "q.weight"), null).view(b, l, n, d).transpose(1, 2);
        Tensor k = linear(h, w.get(prefix + "k.weight"), null).view(b, l, n, d).transpose(1, 2);
        Tensor v = linear(h, w.get(prefix + "v.weight"), null).view(b, l, n, d).transpose(1, 2);
        // T5 attention is unscaled: scale 1.0 instead of SDPA's default 1/sqrt(d).
        Tensor o = torch.scaled_dot_product_attention(q, k, v, Torch.opt(bias), 0.0, false,
                new DoubleOptional(1.0), false);
        return linear(o.transpose(1, 2).reshape(b, l, n * d), w.get(prefix + "o.weight"), null);
    }

    private Tensor rmsNorm(Tensor x, Tensor weight) {
        Tensor xf = x.to(ScalarType.Float);
        Tensor normed = xf.mul(xf.pow(s(2)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                .add(s(config.eps())).rsqrt());
        return normed.to(dtype).mul(weight);
    }

    /** T5's bidirectional relative-position buckets for an {@code L x L} self-attention, as int64 {@code [L, L]}. */
    Tensor relativeBuckets(long length) {
        int l = (int) length;
        long[] ids = new long[l * l];
        int half = config.buckets() / 2;
        int maxExact = half / 2;
        float logRange = (float) Math.log((double) config.maxDistance() / maxExact);
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < l; j++) {
                int rel = j - i;
                long bucket = rel > 0 ? half : 0;
                int dist = Math.abs(rel);
                if (dist < maxExact) {
                    bucket += dist;
                } else {
                    // Float32 arithmetic, as torch computes it, so bucket edges fall where the official code puts them.
                    float scaled = (float) Math.log((float) dist / maxExact) / logRange * (half - maxExact);
                    bucket += Math.min(maxExact + (long) scaled, half - 1);
                }
                ids[i * l + j] = bucket;
            }
        }
        return Torch.fromLongs(ids, length, length);
    }

    /** Moves every weight to {@code target} (offloading between encodes); the old copies are freed at once. */
    public void moveTo(Device target) {
        for (Map.Entry<String, Tensor> entry : w.entrySet()) {
            Tensor old = entry.getValue();
            if (old.device().str().getString().equals(target.str().getString())) {
                continue;
            }
            entry.setValue(Torch.inScope(() -> old.to(target, old.scalar_type())));
            old.close();
        }
    }

    @Override
    public void close() {
        w.values().forEach(Tensor::close);
        w.clear();
    }
}
