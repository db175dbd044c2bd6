package dev.wanhybrid.engine.internal.text;

import dev.wanhybrid.engine.internal.config.JsonConfig;
import java.nio.file.Path;

/**
 * The umT5 encoder's sizes, as in transformers' {@code UMT5Config}.
 *
 * @param vocab vocabulary size
 * @param dim model width ({@code d_model})
 * @param headDim per-head width ({@code d_kv})
 * @param heads attention heads
 * @param ffnDim gated feed-forward width ({@code d_ff})
 * @param layers encoder blocks
 * @param buckets relative-position buckets
 * @param maxDistance relative-position maximum distance
 * @param eps RMS norm epsilon
 */
public record UmT5Config(int vocab, int dim, int headDim, int heads, int ffnDim, int layers, int buckets,
        int maxDistance, double eps) {

    public static UmT5Config read(Path configJson) {
        JsonConfig c = JsonConfig.read(configJson);
        return new UmT5Config(c.integer("vocab_size"), c.integer("d_model"), c.integer("d_kv"),
                c.integer("num_heads"), c.integer("d_ff"), c.integer("num_layers"),
                c.integer("relative_attention_num_buckets", 32), c.integer("relative_attention_max_distance", 128),
                c.number("layer_norm_epsilon", 1e-6));
    }

    public int innerDim() {
        return heads * headDim;
    }
}
