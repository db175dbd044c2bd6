package dev.wanhybrid.engine.internal.dit;

import dev.wanhybrid.engine.internal.torch.Torch;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Wan's 3-axis rotary position embedding: the head dimension's complex pairs are split between frame, row and
 * column positions ({@code rope_params} / {@code rope_apply} in {@code wan/modules/model.py}). Angles are always
 * computed in float64 on the CPU and cached per grid; the rotation runs in the table's precision: float64, as
 * upstream, for float32 models (exact parity), float32 for bf16/fp16 models (no float64 arithmetic on a GPU,
 * where it is slow; the attention that follows runs in bf16 anyway).
 */
final class RopeTable {

    private static final double THETA = 10000.0;

    private final int pairs;
    private final int framePairs;
    private final int axisPairs;
    private final double[] frameFreqs;
    private final double[] axisFreqs;
    private final ConcurrentHashMap<String, Angles> cache = new ConcurrentHashMap<>();

    RopeTable(int headDim) {
        this.pairs = headDim / 2;
        this.axisPairs = pairs / 3;
        this.framePairs = pairs - 2 * axisPairs;
        // rope_params(1024, d - 4*(d//6)) for frames and rope_params(1024, 2*(d//6)) for rows and columns.
        int frameDim = headDim - 4 * (headDim / 6);
        int axisDim = 2 * (headDim / 6);
        this.frameFreqs = frequencies(frameDim, framePairs);
        this.axisFreqs = frequencies(axisDim, axisPairs);
    }

    private static double[] frequencies(int dim, int count) {
        double[] f = new double[count];
        for (int j = 0; j < count; j++) {
            f[j] = 1.0 / Math.pow(THETA, (2.0 * j) / dim);
        }
        return f;
    }

    /**
     * Cos/sin tables for an {@code f x h x w} token grid in {@code precision} (Double or Float) on {@code device},
     * cached per grid (they are reused every step and block).
     */
    Angles angles(long f, long h, long w, Device device, ScalarType precision) {
        return cache.computeIfAbsent(f + "x" + h + "x" + w + "@" + device.str().getString() + "/" + precision,
                key -> build(f, h, w, device, precision));
    }

    private Angles build(long f, long h, long w, Device device, ScalarType precision) {
        int len = Math.toIntExact(f * h * w);
        double[] cos = new double[len * pairs];
        double[] sin = new double[len * pairs];
        int token = 0;
        for (int fi = 0; fi < f; fi++) {
            for (int hi = 0; hi < h; hi++) {
                for (int wi = 0; wi < w; wi++) {
                    for (int p = 0; p < pairs; p++) {
                        double angle;
                        if (p < framePairs) {
                            angle = fi * frameFreqs[p];
                        } else if (p < framePairs + axisPairs) {
                            angle = hi * axisFreqs[p - framePairs];
                        } else {
                            angle = wi * axisFreqs[p - framePairs - axisPairs];
                        }
                        cos[token * pairs + p] = Math.cos(angle);
                        sin[token * pairs + p] = Math.sin(angle);
                    }
                    token++;
                }
            }
        }
        Tensor cosT = Torch.empty(ScalarType.Double, 1, len, 1, pairs);
        new DoublePointer(cosT.data_ptr()).put(cos, 0, cos.length);
        Tensor sinT = Torch.empty(ScalarType.Double, 1, len, 1, pairs);
        new DoublePointer(sinT.data_ptr()).put(sin, 0, sin.length);
        cosT = cosT.to(device, precision);
        sinT = sinT.to(device, precision);
        // Cached across steps and scopes: keep them out of any PointerScope's reach.
        cosT.retainReference();
        sinT.retainReference();
        return new Angles(cosT, sinT, pairs);
    }

    /** Frees the cached tables. */
    void clear() {
        cache.values().forEach(a -> {
            a.cos().releaseReference();
            a.sin().releaseReference();
        });
        cache.clear();
    }

    /** Per-token rotation for one grid. */
    record Angles(Tensor cos, Tensor sin, int pairs) {

        /** Rotates {@code [B, L, heads, 2*pairs]} queries or keys in the table's precision; returns float32. */
        Tensor apply(Tensor x) {
            long b = x.size(0);
            long l = x.size(1);
            long n = x.size(2);
            Tensor pairsView = x.to(cos.scalar_type()).view(b, l, n, pairs, 2);
            Tensor re = pairsView.select(4, 0);
            Tensor im = pairsView.select(4, 1);
            Tensor outRe = re.mul(cos).sub(im.mul(sin));
            Tensor outIm = re.mul(sin).add(im.mul(cos));
            return Torch.stack(4, outRe, outIm).view(b, l, n, 2L * pairs).to(ScalarType.Float);
        }
    }
}
