package dev.wanhybrid.engine.internal.sampling;

import dev.wanhybrid.engine.HostTensor;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * A flow-matching sampler: a fixed timestep grid and one update per model evaluation. Instances hold
 * per-run state (previous predictions) and serve one generation.
 */
public interface FlowScheduler extends AutoCloseable {

    /** The int64 timesteps handed to the model, one per step. */
    long[] timesteps();

    /** The noise levels, one per step plus the final 0. */
    double[] sigmas();

    /** Advances {@code sample} by one step given the model's flow prediction at the current timestep. */
    Tensor step(Tensor modelOutput, Tensor sample);

    /** Index of the next step to run. */
    int stepIndex();

    /**
     * Copies everything the remaining steps need (the step index, and for multistep samplers their history) into
     * host memory, under names starting {@code sampler.}; this scheduler is unchanged.
     */
    void saveState(Map<String, HostTensor> tensors, Map<String, Long> counters);

    /** Restores {@link #saveState}'s state, its tensors onto {@code device}, into a fresh scheduler of the same grid. */
    void restoreState(Map<String, HostTensor> tensors, Map<String, Long> counters, Device device);

    /** Frees state kept between steps. */
    @Override
    default void close() {}

    /** Creates a scheduler by name: {@code unipc} (the official default) or {@code euler}. */
    static FlowScheduler create(String kind, int steps, double shift) {
        FlowGrid grid = FlowGrid.wan(steps, shift, 1000);
        return switch (kind == null ? "unipc" : kind) {
            case "unipc" -> new FlowUniPcScheduler(grid);
            case "euler" -> new FlowEulerScheduler(grid);
            default -> throw new IllegalArgumentException("unknown sampler " + kind + " (use unipc or euler)");
        };
    }
}
