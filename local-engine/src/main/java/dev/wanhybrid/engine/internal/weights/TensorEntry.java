package dev.wanhybrid.engine.internal.weights;

import java.util.Arrays;

/**
 * One tensor's header entry: name, element type, shape and byte range within the data section.
 *
 * @param name tensor name as stored
 * @param dtype element type
 * @param shape dimensions
 * @param begin first byte, relative to the data section
 * @param end one past the last byte
 */
public record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return Math.multiplyExact(elementCount(), dtype.bytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry other && name.equals(other.name) && dtype == other.dtype
                && Arrays.equals(shape, other.shape) && begin == other.begin && end == other.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
