package dev.wanhybrid.engine;

import java.nio.file.Path;

/**
 * A loaded Wan text/image-to-video model that turns one request into one MP4 file.
 *
 * <p>One engine owns one device; {@link #generate} runs one request at a time and is cancelled by
 * interrupting the calling thread (the sampler checks between steps). Callers queue in front of it. A run can
 * also be suspended at a step boundary ({@link Suspension}) and resumed later ({@link #resume}).
 */
public interface VideoEngine extends AutoCloseable {

    /** What was loaded and where it runs. */
    EngineInfo info();

    /**
     * Generates one video and writes it as H.264 MP4 to {@code outputMp4}.
     *
     * @throws EngineException when the request is invalid for this model or the run fails
     * @throws InterruptedException when the calling thread was interrupted (cancellation)
     */
    EngineResult generate(EngineRequest request, ProgressListener progress, Path outputMp4)
            throws EngineException, InterruptedException;

    /**
     * Whether {@link #generate(EngineRequest, ProgressListener, Path, Suspension)} honours a suspension and
     * {@link #resume} continues one. A caller that plans on suspending runs (the gateway's pre-emption) asks first:
     * an engine without it runs every request to its end.
     */
    default boolean suspends() {
        return false;
    }

    /**
     * As {@link #generate(EngineRequest, ProgressListener, Path)}, but when {@code suspension} asks for it before
     * the last denoising step, stops at the next step boundary and returns the run's state instead of writing a
     * video (nothing is written to {@code outputMp4}); its native tensors are freed. An engine that cannot
     * suspend runs to the end.
     */
    default EngineOutcome generate(EngineRequest request, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        return EngineOutcome.finished(generate(request, progress, outputMp4));
    }

    /**
     * Continues a suspended generation from its next step; the video is the one the uninterrupted run would have
     * written. Progress continues from the suspended step. May suspend again when {@code suspension} asks.
     *
     * @throws EngineException when {@code suspended} was made by another model or this engine cannot resume
     */
    default EngineOutcome resume(SuspendedGeneration suspended, ProgressListener progress, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        throw new EngineException(info().modelId() + " cannot resume suspended generations", false, null);
    }

    /** Continues a suspended generation to the end: {@link #resume(SuspendedGeneration, ProgressListener, Path, Suspension)}. */
    default EngineResult resume(SuspendedGeneration suspended, ProgressListener progress, Path outputMp4)
            throws EngineException, InterruptedException {
        return resume(suspended, progress, outputMp4, Suspension.NEVER).result();
    }

    /** Frees the model's memory. */
    @Override
    void close();
}
