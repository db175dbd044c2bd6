package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.VideoEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A stand-in for the Wan engine (which needs weights and a GPU): it honours the engine contract (one request at a
 * time, progress, cancellation by interrupt between steps, an MP4 file written) and lets a test decide when each
 * step may run.
 */
public final class TestVideoEngine implements VideoEngine {

    private final String modelId;
    private final int steps;
    /** One permit per sampling step; a test releases them to let generations advance. */
    public final Semaphore stepPermits = new Semaphore(0);
    public final List<EngineRequest> requests = new CopyOnWriteArrayList<>();
    public volatile boolean failNext;
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
        requests.add(request);
        long started = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            stepPermits.acquire();
            progress.onProgress(step * 100 / steps);
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
        return new EngineResult(outputMp4, request.frames(), 16, Duration.ofNanos(System.nanoTime() - started)
                .plusSeconds(42));
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
