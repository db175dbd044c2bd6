package dev.wanhybrid.engine;

import java.util.List;

/**
 * One generation request, in the engine's own vocabulary.
 *
 * @param prompt text prompt
 * @param negativePrompt negative prompt for classifier-free guidance, or {@code null} for the model default
 * @param width output width in pixels (multiple of 16; of 32 on Wan 2.2 TI2V)
 * @param height output height in pixels (multiple of 16; of 32 on Wan 2.2 TI2V)
 * @param frames number of frames (4k+1)
 * @param steps sampling steps (50 by default)
 * @param guidanceScale classifier-free guidance scale (5.0 by default)
 * @param seed sampling seed; the same seed gives the same video
 * @param sampler {@code unipc} (default) or {@code euler}
 * @param image the first frame for image-to-video as PNG/JPEG/GIF/BMP bytes, or {@code null} for text-to-video;
 *     only engines that report {@link EngineInfo#imageInput()} accept it
 * @param loras LoRAs from the engine's registry to merge into the transformer for this request (empty: none)
 */
public record EngineRequest(String prompt, String negativePrompt, int width, int height, int frames, int steps,
        double guidanceScale, long seed, String sampler, byte[] image, List<LoraSelection> loras) {

    public EngineRequest {
        loras = loras == null ? List.of() : List.copyOf(loras);
    }

    /** A text-to-video request without LoRAs (the Wan 2.1 form). */
    public EngineRequest(String prompt, String negativePrompt, int width, int height, int frames, int steps,
            double guidanceScale, long seed, String sampler) {
        this(prompt, negativePrompt, width, height, frames, steps, guidanceScale, seed, sampler, null, List.of());
    }

    /**
     * The official Wan 2.1 text-to-video settings for {@code prompt}: 832x480, 81 frames, 50 UniPC steps,
     * guidance 5.0, the model's default negative prompt. A zero width, height, frame count or step count in any
     * request also means "the engine's default", and a negative seed means "pick one at random".
     */
    public static EngineRequest officialDefaults(String prompt, long seed) {
        return new EngineRequest(prompt, null, 832, 480, 81, 50, 5.0, seed, "unipc");
    }

    /** This request with {@code imageBytes} as its first frame (image-to-video). */
    public EngineRequest withImage(byte[] imageBytes) {
        return new EngineRequest(prompt, negativePrompt, width, height, frames, steps, guidanceScale, seed, sampler,
                imageBytes, loras);
    }

    /** This request with {@code selection} merged into the transformer. */
    public EngineRequest withLoras(List<LoraSelection> selection) {
        return new EngineRequest(prompt, negativePrompt, width, height, frames, steps, guidanceScale, seed, sampler,
                image, selection);
    }
}
