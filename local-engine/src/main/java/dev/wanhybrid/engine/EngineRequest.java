package dev.wanhybrid.engine;

/**
 * One generation request, in the engine's own vocabulary.
 *
 * @param prompt text prompt
 * @param negativePrompt negative prompt for classifier-free guidance, or {@code null} for the model default
 * @param width output width in pixels (multiple of 16)
 * @param height output height in pixels (multiple of 16)
 * @param frames number of frames (4k+1)
 * @param steps sampling steps (50 by default)
 * @param guidanceScale classifier-free guidance scale (5.0 by default)
 * @param seed sampling seed; the same seed gives the same video
 * @param sampler {@code unipc} (default) or {@code euler}
 */
public record EngineRequest(String prompt, String negativePrompt, int width, int height, int frames, int steps,
        double guidanceScale, long seed, String sampler) {

    /**
     * The official Wan 2.1 text-to-video settings for {@code prompt}: 832x480, 81 frames, 50 UniPC steps,
     * guidance 5.0, the model's default negative prompt. A zero width, height, frame count or step count in any
     * request also means "the engine's default", and a negative seed means "pick one at random".
     */
    public static EngineRequest officialDefaults(String prompt, long seed) {
        return new EngineRequest(prompt, null, 832, 480, 81, 50, 5.0, seed, "unipc");
    }
}
