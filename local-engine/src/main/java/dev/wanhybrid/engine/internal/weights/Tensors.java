package dev.wanhybrid.engine.internal.weights;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** Moves freshly loaded tensors to their device, freeing the host copy at once. */
final class Tensors {

    private Tensors() {}

    static Tensor onDevice(Tensor cpu, Device device) {
        if (device == null || !device.is_cuda()) {
            return cpu;
        }
        Tensor moved = cpu.to(device, cpu.scalar_type());
        cpu.close();
        return moved;
    }
}
