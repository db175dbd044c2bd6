package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A stand-in for the Wan engine (which needs weights and a GPU): it honours the engine contract (one request at a
 * time, progress, cancellation by interrupt between steps, suspension at a step boundary and resume from there, an
 * MP4 file written) and lets a test decide when each step may run.
 */
public final class TestVideoEngine implements VideoEngine {

    private final String modelId;
    private final int steps;
    /** One permit per sampling step; a test releases them to let generations advance. */
    public final Semaphore stepPermits = new Semaphore(0);
    public final List<EngineRequest> requests = new CopyOnWriteArrayList<>();
    /** Every suspended generation handed back to resume, in order. */
    public final List<SuspendedGeneration> resumes = new CopyOnWriteArrayList<>();
    public volatile boolean failNext;
    /** The next suspension fails (as copying the state off the device might), then this clears. */
    public volatile boolean failNextSuspension;
    /** The next resume fails (as a corrupt state would), then this clears. */
    public volatile boolean failNextResume;
    public volatile boolean closed;

    public TestVideoEngine(String modelId, int steps) {
        this.modelId = modelId;
        this.steps = steps;
    }

    /** An engine that never waits. */
    public static TestVideoEngine free(String modelId) {
        TestVideoEngine engine = new TestVideoEngine(modelId, 2);
        engine.stepPermits.release(Integer.MAX_VALUE / 2);
        return engine;
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo(modelId, "/fixtures/" + modelId, "cpu", 832, 480, 81, 16);
    }

    @Override
    public EngineResult generate(EngineRequest request, ProgressListener progress, Path outputMp4)
            throws EngineException, InterruptedException {
        return generate(request, progress, outputMp4, Suspension.NEVER).result();
    }

    @Override
    public boolean suspends() {
        return true;
    }

    @Override
    public EngineOutcome generate(EngineRequest request, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        requests.add(request);
        return run(request, 0, progress, outputMp4, suspension);
    }

    @Override
    public EngineOutcome resume(SuspendedGeneration suspended, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        if (!suspended.modelId().equals(modelId)) {
            throw new EngineException("suspended by " + suspended.modelId() + ", not " + modelId, false, null);
        }
        resumes.add(suspended);
        if (failNextResume) {
            failNextResume = false;
            throw new EngineException("the suspended state does not match the model", false, null);
        }
        return run(suspended.request(), suspended.nextStep(), progress, outputMp4, suspension);
    }

    /** Steps {@code from} to the last, each when a permit allows; stops before a step when a suspension asks. */
    private EngineOutcome run(EngineRequest request, int from, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        long started = System.nanoTime();
        for (int step = from; step < steps; step++) {
            if (suspension.suspendsBefore(step)) {
                if (failNextSuspension) {
                    failNextSuspension = false;
                    throw new EngineException("could not copy the latents to the host", false, null);
                }
                return EngineOutcome.suspended(new SuspendedGeneration(modelId, request, step, Map.of(), Map.of()));
            }
            stepPermits.acquire();
            progress.onProgress((step + 1) * 100 / steps);
        }
        if (failNext) {
            failNext = false;
            throw new EngineException("out of device memory", false, null);
        }
        try {
            Files.write(outputMp4, minimalMp4());
        } catch (IOException e) {
            throw new EngineException("could not write " + outputMp4, false, e);
        }
        return EngineOutcome.finished(new EngineResult(outputMp4, request.frames(), 16,
                Duration.ofNanos(System.nanoTime() - started).plusSeconds(42)));
    }

    /** An ISO-BMFF file with an {@code ftyp} box and an empty {@code mdat}: what MP4 readers check first. */
    static byte[] minimalMp4() {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putInt(24).put("ftyp".getBytes()).put("isom".getBytes()).putInt(0x200).put("isom".getBytes())
                .put("mp41".getBytes());
        b.putInt(8).put("mdat".getBytes());
        return b.array();
    }

    @Override
    public void close() {
        closed = true;
    }
}
