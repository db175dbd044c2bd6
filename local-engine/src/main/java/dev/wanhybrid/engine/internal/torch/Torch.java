package dev.wanhybrid.engine.internal.torch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small, allocation-explicit wrappers over JavaCPP's libtorch calls used throughout the engine. */
public final class Torch {

    private static final AtomicBoolean THREADS_SET = new AtomicBoolean();

    static {
        // JavaCPP refuses allocations once the process's resident set passes four times the Java heap unless told
        // otherwise; libtorch, not the heap, holds a model's weights (umT5-XXL alone is 11 GB), so a real model
        // on a small heap would fail to load. Runs before this class touches JavaCPP; an explicit setting wins.
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
    }

    private Torch() {}

    /**
     * Sets libtorch's intra-op thread count once per process (it is process-global), and pins OpenBLAS to one
     * thread: libtorch already parallelises around its BLAS calls, and OpenBLAS's own pool competing with it
     * made small matmuls and 3-D convolutions 100 to 1000 times slower on a shared CPU (measured here).
     */
    public static void configureThreads(int threads) {
        if (THREADS_SET.compareAndSet(false, true)) {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
            if (threads > 0) {
                torch.set_num_threads(threads);
            }
            Numerics.chooseBackends();
        }
    }

    /**
     * Runs {@code op} in its own {@link PointerScope}, so every temporary it makes is freed when it returns, and
     * hands back its result as a handle the caller owns and must {@link #drop}. This is how the engine keeps
     * memory flat with depth: one scope per transformer block, encoder layer and VAE chunk.
     */
    public static Tensor inScope(Supplier<Tensor> op) {
        try (PointerScope scope = new PointerScope()) {
            return keep(op.get());
        }
    }

    /**
     * A new handle on {@code t} (sharing its storage) that outlives any enclosing {@code PointerScope}; the owner
     * must {@link #drop} it. The caller's own handle is left alone, so both can be used independently.
     */
    public static Tensor keep(Tensor t) {
        Tensor handle = new Tensor(t);
        handle.retainReference();
        return handle;
    }

    /** Releases a handle made by {@link #keep}; null is ignored. */
    public static void drop(Tensor handle) {
        if (handle != null) {
            handle.releaseReference();
        }
    }

    public static Scalar s(double value) {
        return new Scalar(value);
    }

    public static TensorOptional opt(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t);
    }

    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return torch.linear(x, weight, opt(bias));
    }

    public static Tensor cat(long dim, Tensor... parts) {
        return torch.cat(new TensorVector(parts), dim);
    }

    public static Tensor stack(long dim, Tensor... parts) {
        return torch.stack(new TensorVector(parts), dim);
    }

    /** 3-D convolution without implicit padding (causal padding is applied by the caller). */
    public static Tensor conv3d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding) {
        return torch.conv3d(x, weight, opt(bias), stride, padding, new long[] {1, 1, 1}, 1);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding) {
        return torch.conv2d(x, weight, opt(bias), stride, padding, new long[] {1, 1}, 1);
    }

    /** Constant zero padding, pairs given from the last dimension backwards as in {@code F.pad}. */
    public static Tensor pad(Tensor x, long... pads) {
        return torch.constant_pad_nd(x, pads, s(0.0));
    }

    public static Tensor clamp(Tensor x, double min, double max) {
        return x.clamp(new ScalarOptional(s(min)), new ScalarOptional(s(max)));
    }

    public static Tensor zeros(ScalarType type, long... shape) {
        return torch.zeros(shape, new TensorOptions(type));
    }

    public static Tensor empty(ScalarType type, long... shape) {
        return torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
    }

    /** Copies Java floats into a new float32 CPU tensor of the given shape. */
    public static Tensor fromFloats(float[] values, long... shape) {
        Tensor t = empty(ScalarType.Float, shape);
        new FloatPointer(t.data_ptr()).put(values, 0, values.length);
        return t;
    }

    public static Tensor fromLongs(long[] values, long... shape) {
        Tensor t = empty(ScalarType.Long, shape);
        new LongPointer(t.data_ptr()).put(values, 0, values.length);
        return t;
    }

    /** Copies a tensor's values (any dtype, any device) into a Java float array, in row-major order. */
    public static float[] toFloats(Tensor t) {
        Tensor cpu = t.to(new org.bytedeco.pytorch.Device(torch.kCPU()), ScalarType.Float).contiguous();
        float[] out = new float[(int) cpu.numel()];
        new FloatPointer(cpu.data_ptr()).get(out);
        return out;
    }

    public static long[] toLongs(Tensor t) {
        Tensor cpu = t.to(new org.bytedeco.pytorch.Device(torch.kCPU()), ScalarType.Long).contiguous();
        long[] out = new long[(int) cpu.numel()];
        new LongPointer(cpu.data_ptr()).get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        long[] dims = new long[(int) t.dim()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.size(i);
        }
        return dims;
    }

    /** Largest absolute elementwise difference, computed in float64. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        Tensor diff = a.to(ScalarType.Double).sub(b.to(ScalarType.Double)).abs().max();
        return diff.item().toDouble();
    }
}
