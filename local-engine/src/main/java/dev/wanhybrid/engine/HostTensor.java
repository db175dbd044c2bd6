package dev.wanhybrid.engine;

import java.util.Arrays;

/**
 * A tensor copied to the Java heap: its shape, its libtorch dtype name ({@code Float}, {@code BFloat16},
 * {@code Half}, ...) and its values as contiguous little-endian bytes in row-major order, exactly as the device
 * held them (no conversion, so a copy back is bit-identical).
 */
public record HostTensor(long[] shape, String dtype, byte[] data) {

    public HostTensor {
        if (shape == null || dtype == null || data == null) {
            throw new IllegalArgumentException("a host tensor needs a shape, a dtype and data");
        }
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Same shape, dtype and bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && dtype.equals(t.dtype)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + dtype.hashCode()) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape) + " " + dtype + " (" + data.length + " bytes)";
    }
}
