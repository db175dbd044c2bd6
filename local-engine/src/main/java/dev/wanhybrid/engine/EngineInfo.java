package dev.wanhybrid.engine;

/**
 * Describes a loaded engine.
 *
 * @param modelId catalog id such as {@code wan2.1-t2v-1.3b}
 * @param checkpoint the Diffusers folder it was loaded from
 * @param device {@code cpu} or {@code cuda:0}
 * @param defaultWidth default output width (832 for Wan 2.1)
 * @param defaultHeight default output height (480 for Wan 2.1)
 * @param defaultFrames default frame count (81 for Wan 2.1)
 * @param fps output frame rate (16 for Wan 2.1)
 */
public record EngineInfo(String modelId, String checkpoint, String device, int defaultWidth, int defaultHeight,
        int defaultFrames, int fps) {}
