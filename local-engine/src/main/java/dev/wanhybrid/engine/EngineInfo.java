package dev.wanhybrid.engine;

import java.util.List;

/**
 * Describes a loaded engine.
 *
 * @param modelId catalog id such as {@code wan2.1-t2v-1.3b} or {@code wan2.2-ti2v-5b}
 * @param checkpoint the Diffusers folder it was loaded from
 * @param device {@code cpu} or {@code cuda:0}
 * @param defaultWidth default output width (832 for Wan 2.1, 1280 for Wan 2.2 TI2V)
 * @param defaultHeight default output height (480 for Wan 2.1, 704 for Wan 2.2 TI2V)
 * @param defaultFrames default frame count (81 for Wan 2.1, 121 for Wan 2.2 TI2V)
 * @param fps output frame rate (16 for Wan 2.1, 24 for Wan 2.2 TI2V)
 * @param imageInput whether requests may carry a first frame (image-to-video)
 * @param loras names of the LoRAs requests may select
 */
public record EngineInfo(String modelId, String checkpoint, String device, int defaultWidth, int defaultHeight,
        int defaultFrames, int fps, boolean imageInput, List<String> loras) {

    public EngineInfo {
        loras = loras == null ? List.of() : List.copyOf(loras);
    }

    /** A text-to-video engine without LoRAs (the Wan 2.1 form). */
    public EngineInfo(String modelId, String checkpoint, String device, int defaultWidth, int defaultHeight,
            int defaultFrames, int fps) {
        this(modelId, checkpoint, device, defaultWidth, defaultHeight, defaultFrames, fps, false, List.of());
    }
}
