package dev.wanhybrid.engine.internal.sampling;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import org.bytedeco.pytorch.Tensor;

/** Plain Euler integration of the flow ODE on Wan's shifted grid: {@code x += (sigma_next - sigma) * v}. */
final class FlowEulerScheduler extends GridScheduler {

    FlowEulerScheduler(FlowGrid grid) {
        super(grid);
    }

    @Override
    public Tensor step(Tensor modelOutput, Tensor sample) {
        checkNotDone();
        double dt = grid.sigmas()[index + 1] - grid.sigmas()[index];
        index++;
        return sample.add(modelOutput.mul(s(dt)));
    }
}
