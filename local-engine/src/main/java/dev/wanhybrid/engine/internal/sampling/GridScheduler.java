package dev.wanhybrid.engine.internal.sampling;

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

    /** Throws when every step of the grid has been taken. */
    void checkNotDone() {
        if (index >= grid.timesteps().length) {
            throw new IllegalStateException("all " + index + " steps already taken");
        }
    }
}
