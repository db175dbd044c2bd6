package dev.wanhybrid.engine.internal.dit;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import dev.wanhybrid.engine.internal.weights.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Wan 2.1 diffusion transformer ({@code WanModel} in {@code wan/modules/model.py}), with Diffusers tensor
 * names.
 *
 * <p>Precision follows the official autocast layout: the projections, attention and FFN run and keep their
 * activations in the weights' dtype (bf16 on a GPU, float32 on CPU), while the residual stream, norms,
 * modulation, the time embedding and the output head stay in float32 (the official code's
 * {@code autocast(dtype=float32)} regions). RoPE runs in float64 when the model computes in float32 (bit-for-bit
 * the official numbers) and from a cached float32 table otherwise.
 *
 * <p>Memory does not grow with depth: every block runs in three nested scopes (self-attention, cross-attention,
 * FFN), each freeing its temporaries as it returns, so at any time only the residual stream, one sub-block's
 * temporaries and the weights are alive.
 */
public final class WanTransformer implements AutoCloseable {

    private final WanTransformerConfig config;
    private final Map<String, Tensor> w;
    private final ScalarType compute;
    private final RopeTable rope;

    private WanTransformer(WanTransformerConfig config, Map<String, Tensor> weights, ScalarType compute) {
        this.config = config;
        this.w = weights;
        this.compute = compute;
        this.rope = new RopeTable(config.headDim());
    }

    /** The Diffusers {@code WanTransformer3DModel} names and shapes this model needs. */
    public static Map<String, long[]> expectedShapes(WanTransformerConfig c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long d = c.dim();
        int[] p = c.patch();
        shapes.put("patch_embedding.weight", new long[] {d, c.inChannels(), p[0], p[1], p[2]});
        shapes.put("patch_embedding.bias", new long[] {d});
        linear(shapes, "condition_embedder.text_embedder.linear_1", d, c.textDim());
        linear(shapes, "condition_embedder.text_embedder.linear_2", d, d);
        linear(shapes, "condition_embedder.time_embedder.linear_1", d, c.freqDim());
        linear(shapes, "condition_embedder.time_embedder.linear_2", d, d);
        linear(shapes, "condition_embedder.time_proj", 6 * d, d);
        for (int i = 0; i < c.layers(); i++) {
            String b = "blocks." + i + ".";
            shapes.put(b + "scale_shift_table", new long[] {1, 6, d});
            for (String attn : List.of("attn1", "attn2")) {
                for (String proj : List.of("to_q", "to_k", "to_v", "to_out.0")) {
                    linear(shapes, b + attn + "." + proj, d, d);
                }
                shapes.put(b + attn + ".norm_q.weight", new long[] {d});
                shapes.put(b + attn + ".norm_k.weight", new long[] {d});
            }
            if (c.crossAttnNorm()) {
                shapes.put(b + "norm2.weight", new long[] {d});
                shapes.put(b + "norm2.bias", new long[] {d});
            }
            linear(shapes, b + "ffn.net.0.proj", c.ffnDim(), d);
            linear(shapes, b + "ffn.net.2", d, c.ffnDim());
        }
        linear(shapes, "proj_out", (long) c.outChannels() * c.patchVolume(), d);
        shapes.put("scale_shift_table", new long[] {1, 2, d});
        return shapes;
    }

    private static void linear(Map<String, long[]> shapes, String name, long out, long in) {
        shapes.put(name + ".weight", new long[] {out, in});
        shapes.put(name + ".bias", new long[] {out});
    }

    /**
     * Loads the transformer; matmul and convolution weights in {@code compute}, norm scales and modulation
     * tables in float32 (they are applied under float32 autocast upstream).
     */
    public static WanTransformer load(WanTransformerConfig config, WeightSource weights, DType compute) {
        return load(config, weights, compute, null);
    }

    /** Loads the transformer onto {@code device} (null: CPU). */
    public static WanTransformer load(WanTransformerConfig config, WeightSource weights, DType compute,
            Device device) {
        Map<String, Tensor> tensors = weights.load(expectedShapes(config), name -> false,
                name -> float32Weight(name) ? DType.F32 : compute, device);
        return new WanTransformer(config, tensors, compute.torchType());
    }

    /**
     * Weights applied in float32 whatever the compute dtype: norm scales and modulation tables, and the time
     * embedding and output head, which the official code runs under {@code autocast(dtype=torch.float32)}.
     */
    static boolean float32Weight(String name) {
        return name.contains("norm") || name.endsWith("scale_shift_table")
                || name.startsWith("condition_embedder.time_") || name.startsWith("proj_out");
    }

    public WanTransformerConfig config() {
        return config;
    }

    /**
     * One denoising forward.
     *
     * @param latents {@code [B, C, F, H, W]} float32
     * @param timesteps one int64 timestep per batch row
     * @param context {@code [B, Lc, textDim]} text encoder states, {@code Lc <= textLength}; rows past each
     *     prompt's real length must be zero, as the official code pads with zeros
     * @return the flow prediction, {@code [B, C, F, H, W]} float32
     */
    public Tensor forward(Tensor latents, long[] timesteps, Tensor context) {
        return forward(latents, timesteps, context, (name, t) -> {});
    }

    /** As {@link #forward(Tensor, long[], Tensor)}, reporting intermediate activations to {@code probe}. */
    public Tensor forward(Tensor latents, long[] timesteps, Tensor context, BiConsumer<String, Tensor> probe) {
        double[][] perRow = new double[timesteps.length][];
        for (int b = 0; b < timesteps.length; b++) {
            perRow[b] = new double[] {timesteps[b]};
        }
        return run(latents, perRow, context, probe);
    }

    /**
     * A forward with one timestep per token ({@code [B][L]}, tokens in frame-row-column order), as Wan 2.2's
     * TI2V conditioning uses it: the image-conditioned first latent frame keeps timestep 0 while the others are
     * denoised. Every row must hold {@code F*H*W/(patch volume)} values.
     */
    public Tensor forwardPerToken(Tensor latents, double[][] tokenTimesteps, Tensor context,
            BiConsumer<String, Tensor> probe) {
        return run(latents, tokenTimesteps, context, probe);
    }

    private Tensor run(Tensor latents, double[][] times, Tensor context, BiConsumer<String, Tensor> probe) {
        int[] p = config.patch();
        long batch = latents.size(0);
        if (times.length != batch) {
            throw new IllegalArgumentException(times.length + " timestep rows for a batch of " + batch);
        }
        Tensor patches = Torch.conv3d(latents.to(compute), w.get("patch_embedding.weight"),
                w.get("patch_embedding.bias"), new long[] {p[0], p[1], p[2]}, new long[] {0, 0, 0})
                .to(ScalarType.Float);
        probe.accept("patch_embedding", patches);
        long f = patches.size(2);
        long h = patches.size(3);
        long wd = patches.size(4);
        Tensor x = patches.flatten(2, 4).transpose(1, 2).contiguous();
        probe.accept("patch_tokens", x);
        long timeRows = times[0].length;
        if (timeRows != 1 && timeRows != x.size(1)) {
            throw new IllegalArgumentException("expected 1 or " + x.size(1) + " timesteps per row, got " + timeRows);
        }

        // Time conditioning per row (Wan 2.1) or per token (Wan 2.2): [B, 1 or L, ...], broadcast over tokens.
        Tensor sinusoid = timeSinusoid(times).to(latents.device(), ScalarType.Float);
        probe.accept("time_sinusoid", sinusoid);
        Tensor temb = lin(torch.silu(lin(sinusoid, "condition_embedder.time_embedder.linear_1")),
                "condition_embedder.time_embedder.linear_2");
        probe.accept("time_embedding", temb);
        Tensor tproj = lin(torch.silu(temb), "condition_embedder.time_proj");
        probe.accept("time_projection", tproj);
        Tensor modulation = tproj.view(batch, timeRows, 6, config.dim());
        Tensor headTime = temb.view(batch, timeRows, 1, config.dim());

        Tensor padded = padContext(context);
        Tensor text = lin(torch.gelu(lin(padded, "condition_embedder.text_embedder.linear_1"), "tanh"),
                "condition_embedder.text_embedder.linear_2");
        probe.accept("text_embedding", text);

        RopeTable.Angles angles = rope.angles(f, h, wd, latents.device(), ropePrecision());
        // The residual stream is the only activation that crosses blocks; each block frees its own temporaries.
        Tensor stream = Torch.keep(x);
        try {
            for (int i = 0; i < config.layers(); i++) {
                Tensor next = block(i, stream, modulation, text, angles);
                Torch.drop(stream);
                stream = next;
                probe.accept("blocks." + i, stream);
            }
            Tensor headMod = w.get("scale_shift_table").unsqueeze(0).add(headTime);
            Tensor shift = headMod.select(2, 0);
            Tensor scale = headMod.select(2, 1);
            Tensor out = lin(layerNorm(stream).mul(scale.add(s(1))).add(shift), "proj_out").to(ScalarType.Float);
            probe.accept("head", out);
            return unpatchify(out, f, h, wd);
        } finally {
            Torch.drop(stream);
        }
    }

    /** Float64 RoPE where the model computes in float32 (the official numbers exactly), float32 otherwise. */
    private ScalarType ropePrecision() {
        return compute == ScalarType.Float ? ScalarType.Double : ScalarType.Float;
    }

    /** One block; returns a new residual-stream handle the caller owns, {@code x} is left alone. */
    private Tensor block(int index, Tensor x, Tensor modulation, Tensor text, RopeTable.Angles angles) {
        String b = "blocks." + index + ".";
        // [1, 1, 6, dim] + [B, 1 or L, 6, dim]; each chunk is [B, 1 or L, dim] and broadcasts over the tokens.
        Tensor e = Torch.inScope(() -> w.get(b + "scale_shift_table").unsqueeze(0).add(modulation));
        Tensor afterSelf = null;
        Tensor afterCross = null;
        try {
            afterSelf = Torch.inScope(() -> {
                Tensor attnIn = layerNorm(x).mul(e.select(2, 1).add(s(1))).add(e.select(2, 0));
                return x.add(selfAttention(b + "attn1.", attnIn, angles).mul(e.select(2, 2)));
            });
            Tensor residual = afterSelf;
            afterCross = Torch.inScope(() -> {
                Tensor crossIn = config.crossAttnNorm()
                        ? torch.layer_norm(residual, new long[] {config.dim()}, Torch.opt(w.get(b + "norm2.weight")),
                                Torch.opt(w.get(b + "norm2.bias")), config.eps(), false)
                        : residual;
                return residual.add(crossAttention(b + "attn2.", crossIn, text));
            });
            Tensor beforeFfn = afterCross;
            return Torch.inScope(() -> {
                Tensor ffnIn = layerNorm(beforeFfn).mul(e.select(2, 4).add(s(1))).add(e.select(2, 3));
                Tensor ffn = lin(torch.gelu(lin(ffnIn, b + "ffn.net.0.proj"), "tanh"), b + "ffn.net.2");
                return beforeFfn.add(ffn.mul(e.select(2, 5)));
            });
        } finally {
            Torch.drop(afterCross);
            Torch.drop(afterSelf);
            Torch.drop(e);
        }
    }

    private Tensor selfAttention(String prefix, Tensor x, RopeTable.Angles angles) {
        long batch = x.size(0);
        long len = x.size(1);
        long n = config.heads();
        long d = config.headDim();
        Tensor q = angles.apply(rmsNorm(lin(x, prefix + "to_q"), prefix + "norm_q.weight").view(batch, len, n, d));
        Tensor k = angles.apply(rmsNorm(lin(x, prefix + "to_k"), prefix + "norm_k.weight").view(batch, len, n, d));
        Tensor v = lin(x, prefix + "to_v").view(batch, len, n, d);
        return lin(attend(q, k, v), prefix + "to_out.0");
    }

    private Tensor crossAttention(String prefix, Tensor x, Tensor text) {
        long batch = x.size(0);
        long n = config.heads();
        long d = config.headDim();
        Tensor q = rmsNorm(lin(x, prefix + "to_q"), prefix + "norm_q.weight").view(batch, -1, n, d);
        Tensor k = rmsNorm(lin(text, prefix + "to_k"), prefix + "norm_k.weight").view(batch, -1, n, d);
        Tensor v = lin(text, prefix + "to_v").view(batch, -1, n, d);
        // Every one of the textLength rows is attended, padded ones included: the official code passes no mask.
        return lin(attend(q, k, v), prefix + "to_out.0");
    }

    /** Fused scaled-dot-product attention over {@code [B, L, heads, d]} inputs, in (and returning) the compute dtype. */
    private Tensor attend(Tensor q, Tensor k, Tensor v) {
        long batch = q.size(0);
        long len = q.size(1);
        Tensor out = torch.scaled_dot_product_attention(q.to(compute).transpose(1, 2), k.to(compute).transpose(1, 2),
                v.to(compute).transpose(1, 2), Torch.opt(null), 0.0, false, new DoubleOptional(), false);
        return out.transpose(1, 2).reshape(batch, len, config.dim());
    }

    /** A projection in its weight's dtype (the compute dtype, or float32 for {@link #float32Weight} layers). */
    private Tensor lin(Tensor x, String name) {
        Tensor weight = w.get(name + ".weight");
        return Torch.linear(x.to(weight.scalar_type()), weight, w.get(name + ".bias"));
    }

    private Tensor layerNorm(Tensor x) {
        return torch.layer_norm(x, new long[] {config.dim()}, Torch.opt(null), Torch.opt(null), config.eps(), false);
    }

    /** {@code WanRMSNorm} in float32 (its input may be a bf16 projection); returns float32. */
    private Tensor rmsNorm(Tensor x, String weight) {
        Tensor xf = x.to(ScalarType.Float);
        Tensor ms = xf.pow(s(2)).mean(new long[] {-1}, true, new ScalarTypeOptional());
        return xf.mul(ms.add(s(config.eps())).rsqrt()).mul(w.get(weight));
    }

    private Tensor padContext(Tensor context) {
        long rows = context.size(1);
        if (rows > config.textLength()) {
            throw new IllegalArgumentException("text context has " + rows + " rows, more than the text length "
                    + config.textLength());
        }
        return Torch.pad(context.to(ScalarType.Float), 0, 0, 0, config.textLength() - rows);
    }

    /**
     * {@code [cos | sin]} of {@code t * 10000^(-k/half)} for every timestep, rows flattened ({@code [B * n, freq]}),
     * in float64 then float32, as upstream.
     */
    Tensor timeSinusoid(double[][] times) {
        int half = config.freqDim() / 2;
        double[] freqs = new double[half];
        for (int k = 0; k < half; k++) {
            freqs[k] = Math.pow(10000.0, -(double) k / half);
        }
        int perRow = times[0].length;
        float[] values = new float[times.length * perRow * config.freqDim()];
        int row = 0;
        for (double[] rowTimes : times) {
            if (rowTimes.length != perRow) {
                throw new IllegalArgumentException("every batch row needs " + perRow + " timesteps");
            }
            for (double t : rowTimes) {
                for (int k = 0; k < half; k++) {
                    double angle = t * freqs[k];
                    values[row * config.freqDim() + k] = (float) Math.cos(angle);
                    values[row * config.freqDim() + half + k] = (float) Math.sin(angle);
                }
                row++;
            }
        }
        return Torch.fromFloats(values, (long) times.length * perRow, config.freqDim());
    }

    private Tensor unpatchify(Tensor tokens, long f, long h, long wd) {
        int[] p = config.patch();
        long c = config.outChannels();
        long batch = tokens.size(0);
        // Token axis is (f, h, w); the feature axis is (pt, ph, pw, c), as the official einsum 'fhwpqrc->cfphqwr'.
        return tokens.reshape(batch, f, h, wd, p[0], p[1], p[2], c)
                .permute(0, 7, 1, 4, 2, 5, 3, 6)
                .reshape(batch, c, f * p[0], h * p[1], wd * p[2]);
    }

    @Override
    public void close() {
        rope.clear();
        w.values().forEach(Tensor::close);
        w.clear();
    }
}
