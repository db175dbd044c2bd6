package dev.wanhybrid.engine.internal.weights;

import dev.wanhybrid.engine.internal.torch.Torch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Seeded random weights for the demo model: every run with the same seed builds the same model. Matrices and
 * kernels get a standard deviation of {@code 1/sqrt(fan_in)}, biases 0.02, norm scales 1, modulation tables
 * {@code 1/sqrt(dim)} (the scale the fixtures use), so activations stay of order one through the network. The
 * same seed builds the same model on the same kind of device.
 */
public final class RandomWeights implements WeightSource {

    private final long seed;

    public RandomWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public Map<String, Tensor> load(Map<String, long[]> expected, Predicate<String> ignorable,
            Function<String, DType> dtypes, Device device) {
        var generator = torch.createCPUGenerator(seed);
        // On a GPU the numbers are drawn there (seeded, but other numbers than the CPU's): a real-size model's
        // billions of values take a minute from the CPU generator and well under a second on the device.
        boolean onCuda = device != null && device.is_cuda();
        if (onCuda) {
            torch.manual_seed(seed);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : expected.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            // Each tensor's float32 draft is freed at once, not when the garbage collector gets to it.
            try (PointerScope scope = new PointerScope()) {
                tensors.put(name, Torch.keep(draw(name, shape, generator, onCuda, device)
                        .to(dtypes.apply(name).torchType())));
            }
        }
        return tensors;
    }

    private static Tensor draw(String name, long[] shape, org.bytedeco.pytorch.Generator generator, boolean onCuda,
            Device device) {
        Tensor t;
        if (name.endsWith("gamma") || (shape.length == 1 && name.contains("norm") && name.endsWith("weight"))) {
            t = torch.ones(shape, new TensorOptions(ScalarType.Float));
        } else {
            double std;
            if (name.endsWith("bias")) {
                std = 0.02;
            } else if (name.endsWith("scale_shift_table")) {
                std = 1 / Math.sqrt(shape[shape.length - 1]);
            } else if (name.equals("shared.weight") || name.endsWith("relative_attention_bias.weight")) {
                std = name.equals("shared.weight") ? 1.0 : 0.5;
            } else {
                long fanIn = Arrays.stream(shape).skip(1).reduce(1, Math::multiplyExact);
                std = 1 / Math.sqrt(fanIn);
            }
            t = onCuda
                    ? torch.randn(shape, new TensorOptions(device).dtype(new ScalarTypeOptional(ScalarType.Float)))
                    : torch.randn(shape, new GeneratorOptional(generator), new TensorOptions(ScalarType.Float));
            t = t.mul(Torch.s(std));
        }
        return onCuda ? t.to(device, ScalarType.Float) : t;
    }
}
