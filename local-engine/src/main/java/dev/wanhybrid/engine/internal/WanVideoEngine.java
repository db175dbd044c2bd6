package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipeline;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** A loaded Wan text-to-video pipeline behind the {@link VideoEngine} contract; one generation at a time. */
public final class WanVideoEngine extends SuspendableEngine<CheckedRequest> {

    /** Wan's default negative prompt ({@code sample_neg_prompt} in {@code wan/configs/shared_config.py}). */
    public static final String DEFAULT_NEGATIVE_PROMPT = "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，"
            + "整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，"
            + "形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走";

    private static final double DEFAULT_GUIDANCE = 5.0;

    private final WanT2vPipeline pipeline;
    private final double shift;
    private final Map<String, String> mp4Metadata;
    private final int spatialMultiple;
    private final int temporalStride;
    private final int spatialStride;
    private final int latentChannels;

    public WanVideoEngine(EngineInfo info, WanT2vPipeline pipeline, double shift, Map<String, String> mp4Metadata) {
        super(info);
        this.pipeline = pipeline;
        this.shift = shift;
        this.mp4Metadata = Map.copyOf(mp4Metadata);
        int[] patch = pipeline.transformer().config().patch();
        this.spatialStride = pipeline.vae().config().spatialStride();
        this.temporalStride = pipeline.vae().config().temporalStride();
        this.spatialMultiple = spatialStride * Math.max(patch[1], patch[2]);
        this.latentChannels = pipeline.vae().config().zDim();
    }

    /** A request with the engine's defaults filled in and every value checked. */
    @Override
    CheckedRequest check(EngineRequest request) throws EngineException {
        return CheckedRequest.check(request, info, spatialMultiple, temporalStride, 81);
    }

    @Override
    EngineOutcome run(CheckedRequest r, SuspendedGeneration from, ProgressListener listener, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        long started = System.nanoTime();
        Device device = pipeline.device();
        return Generation.run(() -> {
            Tensor context;
            Tensor contextNull;
            Tensor latents;
            if (from == null) {
                listener.onProgress(0);
                context = pipeline.encodePrompt(r.prompt());
                contextNull = pipeline.encodePrompt(r.negativePrompt());
                listener.onProgress(5);
                long latentFrames = (r.frames() - 1) / temporalStride + 1;
                latents = WanT2vPipeline.initialNoise(r.seed(), latentChannels, latentFrames,
                        r.height() / spatialStride, r.width() / spatialStride);
            } else {
                context = Generation.restored(from, "context", device);
                contextNull = Generation.restored(from, "contextNull", device);
                latents = Generation.restored(from, "latents", device);
                listener.onProgress(Generation.stepPercent(from.nextStep(), r.steps()));
            }
            try (FlowScheduler scheduler = Generation.scheduler(r.sampler(), r.steps(), shift, from, device)) {
                Tensor sampled = pipeline.denoise(latents, context, contextNull, scheduler, r.guidance(),
                        (i, t, in, cond, uncond, guided, out) -> listener.onProgress(
                                Generation.stepPercent(i + 1, r.steps())),
                        Generation.suspendBefore(suspension));
                return Generation.sampled(sampled, scheduler, info.modelId(), r.toRequest(null, List.of()),
                        Map.of("context", context, "contextNull", contextNull));
            }
        }, pipeline::decode, info, mp4Metadata, outputMp4, r.frames(), listener, started, false, finalLatents);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            pipeline.close();
        }
    }
}
