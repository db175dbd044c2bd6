package dev.wanhybrid.engine.internal.torch;

import dev.wanhybrid.engine.HostTensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Bit-exact copies between libtorch tensors (any device, any dtype) and {@link HostTensor}s on the Java heap. */
public final class HostCopies {

    private HostCopies() {}

    /** Copies {@code t}'s values to the heap in its own dtype; no native memory is kept. */
    public static HostTensor toHost(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = t.to(new Device(torch.kCPU()), t.scalar_type()).contiguous();
            long[] shape = new long[(int) cpu.dim()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = cpu.size(d);
            }
            long n = cpu.nbytes();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tensor of " + n + " bytes is too large for a host copy");
            }
            byte[] data = new byte[(int) n];
            new BytePointer(cpu.data_ptr()).get(data);
            // intern(): JavaCPP hands back enum instances made in native code, without a name until interned.
            return new HostTensor(shape, cpu.scalar_type().intern().name(), data);
        }
    }

    /** A new tensor on {@code device} with {@code host}'s shape, dtype and exact bytes, owned by the caller's scope. */
    public static Tensor toDevice(HostTensor host, Device device) {
        ScalarType type = ScalarType.valueOf(host.dtype());
        Tensor cpu = Torch.empty(type, host.shape());
        if (cpu.nbytes() != host.data().length) {
            throw new IllegalArgumentException(host + " does not hold " + cpu.nbytes() + " bytes");
        }
        new BytePointer(cpu.data_ptr()).put(host.data(), 0, host.data().length);
        return device.is_cpu() ? cpu : cpu.to(device, type);
    }
}
