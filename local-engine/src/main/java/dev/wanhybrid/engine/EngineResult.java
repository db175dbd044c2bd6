package dev.wanhybrid.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished generation.
 *
 * @param mp4 the written file
 * @param frames frames written
 * @param fps frame rate of the file
 * @param deviceTime wall time the model held the device (the GPU-seconds the cost model learns from)
 */
public record EngineResult(Path mp4, int frames, int fps, Duration deviceTime) {}
