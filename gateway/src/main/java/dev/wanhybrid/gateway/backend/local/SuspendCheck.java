package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Checks, on an engine's own device and weights, that pre-emption gives the video an uninterrupted run gives: a small
 * run suspended before its third step, written out and read back ({@link SuspendedGeneration#toBytes}), resumed and
 * suspended again before its fourth step must hold the state a run suspended before its fourth step without
 * interruption holds (latents, text contexts, the sampler's history and counters). Tensors must match bit for bit,
 * except float32 ones, which may differ by at most {@link #FLOAT_TOLERANCE} of their largest value (a device whose
 * kernels are not deterministic). Seven denoising steps of a 256x160, 5-frame clip in all, seconds on a GPU.
 *
 * <p>The gateway runs it at start-up for each engine when {@code gateway.routing.preemption} is on, and keeps
 * pre-emption off for an engine that fails ({@link #withoutSuspension}): the CPU tests prove the engines exact on
 * the CPU, and this proves them on the device they actually run on.
 */
final class SuspendCheck {

    /** The largest difference allowed between float32 tensors, relative to the tensor's largest magnitude. */
    static final double FLOAT_TOLERANCE = 1e-4;

    private static final ProgressListener QUIET = percent -> {};

    private SuspendCheck() {}

    /**
     * What the check found.
     *
     * @param detail what matched or what differed first
     */
    record Result(boolean passed, String detail, Duration took) {}

    /** Runs the check on {@code engine} with the backend's sampler and guidance, writing scratch files in {@code dir}. */
    static Result run(VideoEngine engine, LocalProperties properties, Path dir) {
        long began = System.nanoTime();
        EngineRequest request = new EngineRequest("a paper boat on a pond, a pre-emption check", null, 256, 160, 5, 4,
                properties.guidanceScale(), 20261207L, properties.sampler());
        try {
            Files.createDirectories(dir);
            SuspendedGeneration atTwo = suspended(engine.generate(request, QUIET, dir.resolve("check-a.mp4"),
                    Suspension.beforeStep(2)), "a run asked to suspend before step 3");
            SuspendedGeneration reread = SuspendedGeneration.fromBytes(atTwo.toBytes());
            SuspendedGeneration resumed = suspended(engine.resume(reread, QUIET, dir.resolve("check-b.mp4"),
                    Suspension.beforeStep(3)), "a resumed run asked to suspend before step 4");
            SuspendedGeneration straight = suspended(engine.generate(request, QUIET, dir.resolve("check-c.mp4"),
                    Suspension.beforeStep(3)), "a run asked to suspend before step 4");
            String difference = difference(resumed, straight);
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            return difference == null
                    ? new Result(true, "resumed at step 3 of 4, the state matches an uninterrupted run's ("
                            + String.join(", ", straight.tensors().keySet()) + ")", took)
                    : new Result(false, difference, took);
        } catch (EngineException | IOException | RuntimeException e) {
            return new Result(false, "the check failed: " + e, Duration.ofNanos(System.nanoTime() - began));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted", Duration.ofNanos(System.nanoTime() - began));
        } finally {
            for (String f : new String[] {"check-a.mp4", "check-b.mp4", "check-c.mp4"}) {
                try {
                    Files.deleteIfExists(dir.resolve(f));
                } catch (IOException ignored) {
                    // scratch files; the work dir is the engine's own
                }
            }
        }
    }

    private static SuspendedGeneration suspended(EngineOutcome outcome, String what) {
        if (!outcome.isSuspended()) {
            throw new IllegalStateException(what + " ran to the end instead");
        }
        return outcome.suspended();
    }

    /** The first difference between two suspended states, or {@code null} when they match. */
    static String difference(SuspendedGeneration a, SuspendedGeneration b) {
        if (a.nextStep() != b.nextStep()) {
            return "the resumed run stopped before step " + (a.nextStep() + 1) + ", the other before step "
                    + (b.nextStep() + 1);
        }
        if (!a.counters().equals(b.counters())) {
            return "the sampler's counters differ: " + a.counters() + " against " + b.counters();
        }
        if (!a.tensors().keySet().equals(b.tensors().keySet())) {
            return "the states hold different tensors: " + a.tensors().keySet() + " against " + b.tensors().keySet();
        }
        for (Map.Entry<String, HostTensor> e : a.tensors().entrySet()) {
            HostTensor x = e.getValue();
            HostTensor y = b.tensors().get(e.getKey());
            if (!Objects.equals(x.dtype(), y.dtype()) || !Arrays.equals(x.shape(), y.shape())) {
                return "tensor " + e.getKey() + " is " + x + " after the resume, " + y + " without it";
            }
            if (Arrays.equals(x.data(), y.data())) {
                continue;
            }
            if (!"Float".equals(x.dtype())) {
                return "tensor " + e.getKey() + " (" + x.dtype() + ") differs after the resume";
            }
            double relative = relativeDifference(x.data(), y.data());
            if (!(relative <= FLOAT_TOLERANCE)) {
                return String.format(java.util.Locale.ROOT, "tensor %s differs after the resume by %.3g of its"
                        + " largest value (at most %.0e allowed)", e.getKey(), relative, FLOAT_TOLERANCE);
            }
        }
        return null;
    }

    /** max |x - y| over max |y|, on native-order float32 data; NaN anywhere gives NaN. */
    static double relativeDifference(byte[] x, byte[] y) {
        var a = ByteBuffer.wrap(x).order(ByteOrder.nativeOrder()).asFloatBuffer();
        var b = ByteBuffer.wrap(y).order(ByteOrder.nativeOrder()).asFloatBuffer();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.limit(); i++) {
            float p = a.get(i);
            float q = b.get(i);
            if (Float.isNaN(p) || Float.isNaN(q)) {
                return Double.NaN;
            }
            diff = Math.max(diff, Math.abs((double) p - q));
            scale = Math.max(scale, Math.abs((double) q));
        }
        return scale == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / scale;
    }

    /** {@code engine} as one that cannot suspend: the planner plans its runs without pre-emption. */
    static VideoEngine withoutSuspension(VideoEngine engine) {
        return new VideoEngine() {
            @Override
            public EngineInfo info() {
                return engine.info();
            }

            @Override
            public EngineResult generate(EngineRequest request, ProgressListener progress, Path outputMp4)
                    throws EngineException, InterruptedException {
                return engine.generate(request, progress, outputMp4);
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }
}
