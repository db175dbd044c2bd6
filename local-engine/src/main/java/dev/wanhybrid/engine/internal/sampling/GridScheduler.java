package dev.wanhybrid.engine.internal.sampling;

import dev.wanhybrid.engine.HostTensor;
import java.util.Map;
import org.bytedeco.pytorch.Device;

/** What every scheduler on a {@link FlowGrid} shares: the grid, its copies for callers, and the step index. */
abstract class GridScheduler implements FlowScheduler {

    final FlowGrid grid;
    int index;

    GridScheduler(FlowGrid grid) {
        this.grid = grid;
    }

    @Override
    public long[] timesteps() {
        return grid.timesteps().clone();
    }

    @Override
    public double[] sigmas() {
        return grid.sigmas().clone();
    }

    @Override
    public int stepIndex() {
        return index;
    }

    @Override
    public void saveState(Map<String, HostTensor> tensors, Map<String, Long> counters) {
        counters.put("sampler.index", (long) index);
    }

    @Override
    public void restoreState(Map<String, HostTensor> tensors, Map<String, Long> counters, Device device) {
        if (index != 0) {
            throw new IllegalStateException("state can only be restored into a fresh scheduler");
        }
        int restored = Math.toIntExact(required(counters, "sampler.index"));
        if (restored < 0 || restored > grid.timesteps().length) {
            throw new IllegalArgumentException("step index " + restored + " outside 0.." + grid.timesteps().length);
        }
        index = restored;
    }

    static long required(Map<String, Long> counters, String name) {
        Long value = counters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("sampler state lacks " + name);
        }
        return value;
    }

    /** Throws when every step of the grid has been taken. */
    void checkNotDone() {
        if (index >= grid.timesteps().length) {
            throw new IllegalStateException("all " + index + " steps already taken");
        }
    }
}
