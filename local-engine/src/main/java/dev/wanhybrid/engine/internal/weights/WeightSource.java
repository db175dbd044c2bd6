package dev.wanhybrid.engine.internal.weights;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** Where a model's tensors come from: a checkpoint folder, or seeded random numbers for the demo model. */
public interface WeightSource {

    /**
     * Returns one tensor per expected name, in the dtype {@code dtypes} picks for it, on {@code device}; fails
     * naming every missing, unexpected ({@code ignorable} excepted) or mis-shaped tensor.
     */
    Map<String, Tensor> load(Map<String, long[]> expected, Predicate<String> ignorable,
            Function<String, DType> dtypes, Device device);
}
