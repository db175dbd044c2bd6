package dev.wanhybrid.engine.internal.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Which convolution backend the engine lets libtorch use, and a start-up check that the float32 convolutions and
 * matrix products the engine runs agree with a float64 reference on the device.
 *
 * <p>libtorch 2.10's float32 {@code conv2d}, when it takes the oneDNN (mkldnn) path on CPU (batch above one or
 * large inputs), was measured returning wrong numbers for some input channel counts (20, 24 and 40 on an
 * AVX-512 machine; 4 to 16, 32 and 48 were right), silently. The engine therefore turns oneDNN off unless the
 * system property {@code engine.onednn=true} asks for it, and {@link #check} proves the chosen path right on the
 * shapes the VAE and the transformer use before an engine serves anything.
 */
public final class Numerics {

    /** Input channel counts the sweep covers: the VAE's widths at every tested base width, and the known-bad ones. */
    public static final int[] CONV_CHANNELS = {3, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 96};

    private static final ConcurrentHashMap<String, Report> CHECKED = new ConcurrentHashMap<>();

    private Numerics() {}

    /** The outcome of one check: the worst case and whether every case was within tolerance. */
    public record Report(boolean ok, String device, boolean oneDnn, int cases, double worstRelativeError,
            String worstCase, double tolerance) {

        public String summary() {
            return String.format(Locale.ROOT, "%s: %d cases, worst relative error %.2e at %s (tolerance %.0e, oneDNN %s)",
                    ok ? "agrees with float64" : "DISAGREES with float64", cases, worstRelativeError, worstCase,
                    tolerance, oneDnn ? "on" : "off");
        }
    }

    /** Applies the engine's backend choice; called once per process by {@link Torch#configureThreads}. */
    static void chooseBackends() {
        torch.globalContext().setUserEnabledMkldnn(Boolean.getBoolean("engine.onednn"));
    }

    public static boolean oneDnnEnabled() {
        return torch.globalContext().userEnabledMkldnn();
    }

    /** Turns the oneDNN path on or off (tests compare both); the engine's choice is {@link #chooseBackends}. */
    public static void setOneDnn(boolean enabled) {
        torch.globalContext().setUserEnabledMkldnn(enabled);
        CHECKED.clear();
    }

    /** {@link #check(Device, double)} once per device and backend setting per process. */
    public static Report checkOnce(Device device) {
        String key = device.str().getString() + "/" + oneDnnEnabled();
        return CHECKED.computeIfAbsent(key, k -> check(device, defaultTolerance(device)));
    }

    /**
     * Tolerance on the relative error (largest absolute difference over the reference's largest magnitude): float32
     * accumulation error is below 1e-5 at these sizes on CPU; CUDA runs float32 convolutions in TF32 by default
     * (10-bit mantissa, about 1e-3). The known failure is of order one.
     */
    public static double defaultTolerance(Device device) {
        return device.is_cuda() ? 1e-2 : 1e-4;
    }

    /**
     * Runs float32 {@code conv2d} over {@link #CONV_CHANNELS} at batch 1 and 2, {@code conv3d} at the VAE's
     * causal kernel, and a float32 matrix product at a transformer projection's shape, on {@code device}, against
     * the same operations in float64 on the CPU.
     */
    public static Report check(Device device, double tolerance) {
        List<Case> cases = new ArrayList<>();
        for (int in : CONV_CHANNELS) {
            for (int batch : new int[] {1, 2}) {
                cases.add(new Case("conv2d in=" + in + " batch=" + batch, seed -> conv2d(in, batch, seed)));
            }
        }
        for (int in : new int[] {16, 20, 24, 40}) {
            cases.add(new Case("conv3d in=" + in, seed -> conv3d(in, seed)));
        }
        cases.add(new Case("matmul 300x1536x512", seed -> matmul(seed)));
        double worst = 0;
        String worstCase = "none";
        long seed = 1;
        for (Case c : cases) {
            double err;
            try (PointerScope scope = new PointerScope()) {
                err = c.relativeError(device, seed++);
            }
            if (!(err <= worst)) {
                worst = err;
                worstCase = c.name;
            }
        }
        boolean ok = worst <= tolerance;
        return new Report(ok, device.str().getString(), oneDnnEnabled(), cases.size(), worst, worstCase, tolerance);
    }

    /** One operation's inputs in float64 on the CPU and the operation itself. */
    private interface Op {

        Tensor apply(Tensor[] inputs);
    }

    private record Inputs(Tensor[] tensors, Op op) {}

    @FunctionalInterface
    private interface Maker {

        Inputs make(long seed);
    }

    private record Case(String name, Maker maker) {

        double relativeError(Device device, long seed) {
            Inputs in = maker.make(seed);
            Tensor reference = in.op().apply(in.tensors());
            Tensor[] onDevice = new Tensor[in.tensors().length];
            for (int i = 0; i < onDevice.length; i++) {
                onDevice[i] = in.tensors()[i].to(device, ScalarType.Float);
            }
            Tensor result = in.op().apply(onDevice).to(new Device(torch.kCPU()), ScalarType.Double);
            double scale = reference.abs().max().item().toDouble();
            double diff = result.sub(reference).abs().max().item().toDouble();
            return scale == 0 ? diff : diff / scale;
        }
    }

    private static Tensor randn(long seed, long... shape) {
        return torch.randn(shape, new GeneratorOptional(torch.createCPUGenerator(seed)),
                new TensorOptions(ScalarType.Double));
    }

    private static Inputs conv2d(int in, int batch, long seed) {
        Tensor x = randn(seed, batch, in, 36, 52);
        Tensor w = randn(seed + 1000, 16, in, 3, 3).div(Torch.s(Math.sqrt(in * 9.0)));
        Tensor b = randn(seed + 2000, 16);
        return new Inputs(new Tensor[] {x, w, b},
                t -> Torch.conv2d(t[0], t[1], t[2], new long[] {1, 1}, new long[] {1, 1}));
    }

    private static Inputs conv3d(int in, long seed) {
        Tensor x = randn(seed, 1, in, 3, 20, 28);
        Tensor w = randn(seed + 1000, 16, in, 3, 3, 3).div(Torch.s(Math.sqrt(in * 27.0)));
        Tensor b = randn(seed + 2000, 16);
        return new Inputs(new Tensor[] {x, w, b},
                t -> Torch.conv3d(t[0], t[1], t[2], new long[] {1, 1, 1}, new long[] {0, 1, 1}));
    }

    private static Inputs matmul(long seed) {
        Tensor x = randn(seed, 300, 1536);
        Tensor w = randn(seed + 1000, 512, 1536).div(Torch.s(Math.sqrt(1536.0)));
        Tensor b = randn(seed + 2000, 512);
        return new Inputs(new Tensor[] {x, w, b}, t -> Torch.linear(t[0], t[1], t[2]));
    }
}
