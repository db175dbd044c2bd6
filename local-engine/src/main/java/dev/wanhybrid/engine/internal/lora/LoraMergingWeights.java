package dev.wanhybrid.engine.internal.lora;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A weight source that merges LoRA adapters into the weights it loads: {@code W' = W + sum(factor * B @ A)},
 * computed in float32 on the weight's device and stored back in the weight's dtype. Biases are unchanged.
 *
 * <p>Merging at load costs nothing per step and keeps one copy of every weight; a different LoRA set means
 * loading the transformer again (from the memory-mapped checkpoint), which the engine does only when the
 * requested set changes.
 */
public final class LoraMergingWeights implements WeightSource {

    private final WeightSource base;
    private final List<LoraAdapter> adapters;

    public LoraMergingWeights(WeightSource base, List<LoraAdapter> adapters) {
        this.base = base;
        this.adapters = List.copyOf(adapters);
    }

    @Override
    public Map<String, Tensor> load(Map<String, long[]> expected, Predicate<String> ignorable,
            Function<String, DType> dtypes, Device device) {
        List<String> unknown = new ArrayList<>();
        for (LoraAdapter adapter : adapters) {
            for (LoraAdapter.Update update : adapter.updates().values()) {
                long[] shape = expected.get(update.target());
                long[] product = {update.up().size(0), update.down().size(1)};
                if (shape == null || !Arrays.equals(shape, product)) {
                    unknown.add(adapter.name() + ": " + update.target() + " " + Arrays.toString(product));
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("LoRA updates that match no weight of this model: " + unknown);
        }
        Map<String, Tensor> weights = base.load(expected, ignorable, dtypes, device);
        for (LoraAdapter adapter : adapters) {
            for (LoraAdapter.Update update : adapter.updates().values()) {
                Tensor w = weights.get(update.target());
                Tensor delta = update.up().to(w.device(), ScalarType.Float)
                        .matmul(update.down().to(w.device(), ScalarType.Float)).mul(s(update.factor()));
                Tensor merged = w.to(ScalarType.Float).add(delta).to(w.scalar_type());
                weights.put(update.target(), merged);
                w.close();
            }
        }
        return weights;
    }
}
