package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request checks the Wan 2.1 and Wan 2.2 engines share: a request with the engine's defaults filled in and
 * every common value checked (prompt, size, frames, steps, guidance, sampler), the default negative prompt and a
 * random seed for a negative one.
 */
record CheckedRequest(String prompt, String negativePrompt, int width, int height, int frames, int steps,
        double guidance, long seed, String sampler) {

    static final int DEFAULT_STEPS = 50;

    /**
     * @param sizeMultiple what width and height must be multiples of
     * @param temporalStride frames must be {@code temporalStride * k + 1}
     * @param framesExample a valid frame count for the error message
     */
    static CheckedRequest check(EngineRequest request, EngineInfo info, int sizeMultiple, int temporalStride,
            int framesExample) throws EngineException {
        if (request == null || request.prompt() == null || request.prompt().isBlank()) {
            throw invalid("prompt must not be empty");
        }
        int width = request.width() == 0 ? info.defaultWidth() : request.width();
        int height = request.height() == 0 ? info.defaultHeight() : request.height();
        int frames = request.frames() == 0 ? info.defaultFrames() : request.frames();
        int steps = request.steps() == 0 ? DEFAULT_STEPS : request.steps();
        if (width < sizeMultiple || width % sizeMultiple != 0) {
            throw invalid("width " + width + " must be a positive multiple of " + sizeMultiple);
        }
        if (height < sizeMultiple || height % sizeMultiple != 0) {
            throw invalid("height " + height + " must be a positive multiple of " + sizeMultiple);
        }
        if (frames < 1 || (frames - 1) % temporalStride != 0) {
            throw invalid("frames " + frames + " must be " + temporalStride + "k+1 (for example " + framesExample
                    + ")");
        }
        if (steps < 1 || steps > 1000) {
            throw invalid("steps " + steps + " must be between 1 and 1000");
        }
        double guidance = request.guidanceScale();
        if (Double.isNaN(guidance) || Double.isInfinite(guidance) || guidance < 0) {
            throw invalid("guidance scale " + guidance + " must be a non-negative number");
        }
        String sampler = request.sampler() == null || request.sampler().isBlank() ? "unipc" : request.sampler();
        if (!sampler.equals("unipc") && !sampler.equals("euler")) {
            throw invalid("sampler " + sampler + " is not supported (use unipc or euler)");
        }
        String negative = request.negativePrompt() == null || request.negativePrompt().isEmpty()
                ? WanVideoEngine.DEFAULT_NEGATIVE_PROMPT : request.negativePrompt();
        // As upstream: a negative seed means a random one.
        long seed = request.seed() >= 0 ? request.seed() : ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
        return new CheckedRequest(request.prompt(), negative, width, height, frames, steps, guidance, seed, sampler);
    }

    /** This request as an {@link EngineRequest} with its defaults filled in (resolving it again changes nothing). */
    EngineRequest toRequest(byte[] image, java.util.List<dev.wanhybrid.engine.LoraSelection> loras) {
        return new EngineRequest(prompt, negativePrompt, width, height, frames, steps, guidance, seed, sampler, image,
                loras);
    }

    /** A rejected request: the caller's fault, not worth retrying. */
    static EngineException invalid(String message) {
        return new EngineException(message, true, null);
    }
}
