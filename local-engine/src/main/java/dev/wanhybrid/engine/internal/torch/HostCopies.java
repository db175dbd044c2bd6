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
            long[] shape = Torch.shape(cpu);
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

    /**
     * A new tensor on {@code device} with {@code host}'s shape, dtype and exact bytes, owned by the caller's scope.
     * For another device the CPU staging copy is made in a scope of its own and freed before this returns.
     */
    public static Tensor toDevice(HostTensor host, Device device) {
        ScalarType type = ScalarType.valueOf(host.dtype());
        if (device.is_cpu()) {
            return staged(host, type);
        }
        Tensor kept = Torch.inScope(() -> staged(host, type).to(device, type));
        try {
            return new Tensor(kept);
        } finally {
            Torch.drop(kept);
        }
    }

    /** A new CPU tensor holding {@code host}'s bytes as {@code type}. */
    private static Tensor staged(HostTensor host, ScalarType type) {
        Tensor cpu = Torch.empty(type, host.shape());
        if (cpu.nbytes() != host.data().length) {
            throw new IllegalArgumentException(host + " does not hold " + cpu.nbytes() + " bytes");
        }
        new BytePointer(cpu.data_ptr()).put(host.data(), 0, host.data().length);
        return cpu;
    }
}
