package dev.wanhybrid.engine;

import java.nio.file.Path;

/**
 * A loaded Wan text/image-to-video model that turns one request into one MP4 file.
 *
 * <p>One engine owns one device; {@link #generate} runs one request at a time and is cancelled by
 * interrupting the calling thread (the sampler checks between steps). Callers queue in front of it.
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

    /** Frees the model's memory. */
    @Override
    void close();
}
