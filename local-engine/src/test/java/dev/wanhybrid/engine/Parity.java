package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.internal.torch.Torch;
import org.bytedeco.pytorch.Tensor;

/** Parity assertions against golden tensors, with the README's tolerances. */
public final class Parity {

    /** Component goldens: max |diff| 1e-4 (values are O(1)). */
    public static final double COMPONENT = 1e-4;

    /** End-to-end trace and video: max |diff| 5e-4. */
    public static final double END_TO_END = 5e-4;

    private Parity() {}

    public static double assertClose(String what, Tensor actual, Tensor expected, double tolerance) {
        assertThat(Torch.shape(actual)).as(what + " shape").containsExactly(Torch.shape(expected));
        double diff = Torch.maxAbsDiff(actual, expected);
        System.out.printf("parity %-40s max|diff| %.3e (tolerance %.0e)%n", what, diff, tolerance);
        assertThat(diff).as(what + " max abs diff").isLessThanOrEqualTo(tolerance);
        return diff;
    }
}
