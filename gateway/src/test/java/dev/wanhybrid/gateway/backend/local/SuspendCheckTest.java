package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check of pre-emption on an engine's device: an engine whose resume reaches the uninterrupted state
 * passes (float32 within the tolerance), one whose resume drifts, changes the sampler's counters or does not suspend
 * fails, and a failed engine is planned without suspensions.
 */
class SuspendCheckTest {

    @TempDir
    Path dir;

    private final LocalProperties properties = new LocalProperties(null, List.of("cpu"), null, 50, 5.0, "unipc",
            Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, null);

    /**
     * A stand-in for a denoising loop: the latent starts from the seed and each step adds to it; {@code drift} is
     * what a resume adds by mistake (a state restored wrongly), {@code counterSlip} a sampler counter it loses.
     */
    static final class SteppingEngine implements VideoEngine {
        final float drift;
        final boolean counterSlip;
        final boolean suspends;

        SteppingEngine(float drift, boolean counterSlip, boolean suspends) {
            this.drift = drift;
            this.counterSlip = counterSlip;
            this.suspends = suspends;
        }

        @Override
        public EngineInfo info() {
            return new EngineInfo("wan2.1-t2v-1.3b", "/fixtures/stepping", "cpu", 832, 480, 81, 16);
        }

        @Override
        public boolean suspends() {
            return true;
        }

        @Override
        public EngineResult generate(EngineRequest request, ProgressListener progress, Path outputMp4) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EngineOutcome generate(EngineRequest request, ProgressListener progress, Path outputMp4,
                Suspension suspension) {
            float[] latent = new float[64];
            for (int i = 0; i < latent.length; i++) {
                latent[i] = (request.seed() % 97) + i;
            }
            return steps(request, latent, 0, 0, suspension, outputMp4);
        }

        @Override
        public EngineOutcome resume(SuspendedGeneration s, ProgressListener progress, Path outputMp4,
                Suspension suspension) {
            float[] latent = floats(s.tensors().get("latents").data());
            for (int i = 0; i < latent.length; i++) {
                latent[i] += drift;
            }
            long history = s.counters().get("sampler.history") + (counterSlip ? 1 : 0);
            return steps(s.request(), latent, s.nextStep(), history, suspension, outputMp4);
        }

        private EngineOutcome steps(EngineRequest request, float[] latent, int from, long history,
                Suspension suspension, Path out) {
            for (int step = from; step < request.steps(); step++) {
                if (suspends && suspension.suspendsBefore(step)) {
                    ByteBuffer bytes = ByteBuffer.allocate(latent.length * 4).order(ByteOrder.nativeOrder());
                    bytes.asFloatBuffer().put(latent);
                    return EngineOutcome.suspended(new SuspendedGeneration(info().modelId(), request, step,
                            Map.of("latents", new HostTensor(new long[] {latent.length}, "Float", bytes.array())),
                            Map.of("sampler.history", history)));
                }
                for (int i = 0; i < latent.length; i++) {
                    latent[i] = latent[i] * 0.9f + 0.1f * step;
                }
                history++;
            }
            return EngineOutcome.finished(new EngineResult(out, request.frames(), 16, Duration.ofSeconds(1)));
        }

        private static float[] floats(byte[] data) {
            float[] f = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).asFloatBuffer().get(f);
            return f;
        }

        @Override
        public void close() {}
    }

    @Test
    void anEngineWhoseResumeReachesTheUninterruptedStatePassesAlsoWithinTheFloatTolerance() {
        SuspendCheck.Result exact = SuspendCheck.run(new SteppingEngine(0, false, true), properties, dir);
        assertThat(exact.passed()).as(exact.detail()).isTrue();
        assertThat(exact.detail()).contains("latents");

        // A device whose kernels round differently: 1e-6 of a latent of magnitude ~100.
        SuspendCheck.Result close = SuspendCheck.run(new SteppingEngine(1e-4f, false, true), properties, dir);
        assertThat(close.passed()).as(close.detail()).isTrue();
    }

    @Test
    void aResumeThatDriftsLosesASamplerCounterOrDoesNotSuspendFails() {
        SuspendCheck.Result drift = SuspendCheck.run(new SteppingEngine(0.5f, false, true), properties, dir);
        assertThat(drift.passed()).isFalse();
        assertThat(drift.detail()).contains("tensor latents differs after the resume");

        SuspendCheck.Result counters = SuspendCheck.run(new SteppingEngine(0, true, true), properties, dir);
        assertThat(counters.passed()).isFalse();
        assertThat(counters.detail()).contains("counters");

        SuspendCheck.Result never = SuspendCheck.run(new SteppingEngine(0, false, false), properties, dir);
        assertThat(never.passed()).isFalse();
        assertThat(never.detail()).contains("ran to the end");
    }

    @Test
    void anEngineThatFailsIsPlannedWithoutSuspensionsAndTheGaugeSaysSo() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LocalProperties here = new LocalProperties(null, List.of("cpu"), dir, 50, 5.0, "unipc",
                Duration.ofMinutes(4), Duration.ofHours(1), null, null, false, null, false, null);

        VideoEngine good = LocalBackendConfiguration.checkedForPreemption(new SteppingEngine(0, false, true), here,
                meters);
        assertThat(good.suspends()).isTrue();
        assertThat(meters.get("gateway.local.suspend.check").gauge().value()).isEqualTo(1);

        SimpleMeterRegistry other = new SimpleMeterRegistry();
        VideoEngine bad = LocalBackendConfiguration.checkedForPreemption(new SteppingEngine(0.5f, false, true), here,
                other);
        assertThat(bad.suspends()).isFalse();
        assertThat(bad.info()).isEqualTo(good.info());
        assertThat(other.get("gateway.local.suspend.check").tag("model", "wan2.1-t2v-1.3b").gauge().value())
                .isZero();
    }

    @Test
    void theRelativeDifferenceIsOverTheLargestMagnitudeAndNaNNeverPasses() {
        assertThat(SuspendCheck.relativeDifference(floats(1, -200, 3), floats(1, -200, 3))).isZero();
        assertThat(SuspendCheck.relativeDifference(floats(1, -200, 3.02f), floats(1, -200, 3))).isCloseTo(1e-4,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(SuspendCheck.relativeDifference(floats(Float.NaN, 0, 0), floats(0, 0, 0))).isNaN();
        assertThat(SuspendCheck.relativeDifference(floats(1, 0, 0), floats(0, 0, 0))).isInfinite();
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
