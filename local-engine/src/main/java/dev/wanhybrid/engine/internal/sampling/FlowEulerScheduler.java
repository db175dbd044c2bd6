package dev.wanhybrid.engine.internal.sampling;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import org.bytedeco.pytorch.Tensor;

/** Plain Euler integration of the flow ODE on Wan's shifted grid: {@code x += (sigma_next - sigma) * v}. */
final class FlowEulerScheduler implements FlowScheduler {

    private final FlowGrid grid;
    private int index;

    FlowEulerScheduler(FlowGrid grid) {
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
    public Tensor step(Tensor modelOutput, Tensor sample) {
        if (index >= grid.timesteps().length) {
            throw new IllegalStateException("all " + index + " steps already taken");
        }
        double dt = grid.sigmas()[index + 1] - grid.sigmas()[index];
        index++;
        return sample.add(modelOutput.mul(s(dt)));
    }
}
