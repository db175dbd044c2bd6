package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.LoraSelection;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.internal.lora.LoraAdapter;
import dev.wanhybrid.engine.internal.pipeline.Wan22Pipeline;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipeline;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.video.Frames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * A loaded Wan 2.2 pipeline (TI2V-5B, or the A14B expert pair) behind the {@link VideoEngine} contract:
 * text-to-video, image-to-video when the model takes an image, and LoRAs from a registry merged into the
 * transformer when a request selects them. One generation at a time.
 */
public final class Wan22VideoEngine extends SuspendableEngine<Wan22VideoEngine.Resolved> {

    /** Reloads the denoiser(s) with a LoRA set merged in (empty: the plain checkpoint). */
    @FunctionalInterface
    public interface ExpertReloader {
        void reload(List<LoraAdapter> adapters);
    }

    private final Wan22Pipeline pipeline;
    private final double shift;
    private final Map<String, String> mp4Metadata;
    private final Map<String, Path> loraRegistry;
    private final ExpertReloader reloader;
    private final int sizeMultiple;
    private final List<AutoCloseable> resources;
    private List<LoraSelection> loadedLoras = List.of();

    public Wan22VideoEngine(EngineInfo info, Wan22Pipeline pipeline, double shift, Map<String, String> mp4Metadata,
            Map<String, Path> loraRegistry, ExpertReloader reloader, List<AutoCloseable> resources) {
        super(info);
        this.pipeline = pipeline;
        this.shift = shift;
        this.mp4Metadata = Map.copyOf(mp4Metadata);
        this.loraRegistry = Map.copyOf(loraRegistry);
        this.reloader = reloader;
        this.resources = List.copyOf(resources);
        int[] patch = pipeline.experts().any().config().patch();
        this.sizeMultiple = pipeline.vae().spatialStride() * Math.max(patch[1], patch[2]);
    }

    record Resolved(String prompt, String negativePrompt, int width, int height, int frames, int steps,
            double guidance, long seed, String sampler, byte[] image, List<LoraSelection> loras) {

        /** As an {@link EngineRequest} with the defaults filled in. */
        EngineRequest toRequest() {
            return new EngineRequest(prompt, negativePrompt, width, height, frames, steps, guidance, seed, sampler,
                    image, loras);
        }
    }

    @Override
    Resolved check(EngineRequest request) throws EngineException {
        CheckedRequest c = CheckedRequest.check(request, info, sizeMultiple, pipeline.vae().temporalStride(), 121);
        if (request.image() != null && !info.imageInput()) {
            throw CheckedRequest.invalid(info.modelId() + " does not take an input image");
        }
        for (LoraSelection lora : request.loras()) {
            if (!loraRegistry.containsKey(lora.name())) {
                throw CheckedRequest.invalid("unknown LoRA " + lora.name() + " (known: " + loraRegistry.keySet()
                        + ")");
            }
        }
        return new Resolved(c.prompt(), c.negativePrompt(), c.width(), c.height(), c.frames(), c.steps(),
                c.guidance(), c.seed(), c.sampler(), request.image(), request.loras());
    }

    /** The LoRA set is merged again if another request changed it since the suspension. */
    @Override
    EngineOutcome run(Resolved r, SuspendedGeneration from, ProgressListener listener, Path outputMp4,
            Suspension suspension) throws EngineException, InterruptedException {
        long started = System.nanoTime();
        if (from == null) {
            listener.onProgress(0);
        }
        try {
            // Outside the generation's PointerScope: the LoRA tensors must outlive it (an A14B expert swap on a
            // later request merges them again).
            selectLoras(r.loras());
        } catch (RuntimeException e) {
            throw new EngineException("loading the requested LoRAs failed: " + e.getMessage(), false, e);
        }
        Device device = pipeline.device();
        return Generation.run(() -> {
            Tensor context;
            Tensor contextNull;
            Tensor imageLatent = null;
            Tensor latents;
            if (from == null) {
                int width = r.width();
                int height = r.height();
                Tensor imageUint8 = null;
                if (r.image() != null) {
                    // As WanTI2V.i2v: the output size follows the image's aspect ratio within width x height pixels.
                    java.awt.Dimension source = imageSize(r.image());
                    int[] size = Frames.bestOutputSize(source.width, source.height, sizeMultiple, sizeMultiple,
                            (long) width * height);
                    width = size[0];
                    height = size[1];
                    imageUint8 = Frames.decodeImage(r.image(), width, height);
                }
                context = pipeline.encodePrompt(r.prompt());
                contextNull = pipeline.encodePrompt(r.negativePrompt());
                if (imageUint8 != null) {
                    imageLatent = pipeline.encodeImage(Frames.imageTensor(imageUint8));
                }
                listener.onProgress(5);
                int spatial = pipeline.vae().spatialStride();
                long latentFrames = (r.frames() - 1) / pipeline.vae().temporalStride() + 1;
                latents = WanT2vPipeline.initialNoise(r.seed(), pipeline.vae().latentChannels(), latentFrames,
                        height / spatial, width / spatial);
            } else {
                context = Generation.restored(from, "context", device);
                contextNull = Generation.restored(from, "contextNull", device);
                Tensor image = Generation.restored(from, "image", device);
                imageLatent = image == null ? null : Torch.keep(image);
                latents = Generation.restored(from, "latents", device);
                listener.onProgress(Generation.stepPercent(from.nextStep(), r.steps()));
            }
            try (FlowScheduler scheduler = Generation.scheduler(r.sampler(), r.steps(), shift, from, device)) {
                pipeline.experts().setGuidance(r.guidance());
                Tensor sampled = pipeline.denoise(latents, context, contextNull, imageLatent, scheduler,
                        (i, t, in, cond, uncond, guided, out) -> listener.onProgress(
                                Generation.stepPercent(i + 1, r.steps())),
                        Generation.suspendBefore(suspension));
                Map<String, Tensor> inputs = new LinkedHashMap<>();
                inputs.put("context", context);
                inputs.put("contextNull", contextNull);
                inputs.put("image", imageLatent);
                return Generation.sampled(sampled, scheduler, info.modelId(), r.toRequest(), inputs);
            } finally {
                Torch.drop(imageLatent);
            }
        }, pipeline::decode, info, mp4Metadata, outputMp4, r.frames(), listener, started, true, finalLatents);
    }

    /** Reloads the transformer(s) when the requested LoRA set differs from the loaded one. */
    private void selectLoras(List<LoraSelection> wanted) {
        if (wanted.equals(loadedLoras)) {
            return;
        }
        List<LoraAdapter> adapters = new ArrayList<>();
        for (LoraSelection s : wanted) {
            adapters.add(LoraAdapter.read(s.name(), loraRegistry.get(s.name()), s.scale()));
        }
        // Forget the set first: a failed reload must not leave the old set marked as loaded.
        loadedLoras = null;
        reloader.reload(adapters);
        loadedLoras = List.copyOf(wanted);
    }

    private static java.awt.Dimension imageSize(byte[] bytes) {
        try (var in = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            var readers = in == null ? null : javax.imageio.ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException("the input image is not a PNG, JPEG, GIF or BMP file");
            }
            var reader = readers.next();
            try {
                reader.setInput(in);
                return new java.awt.Dimension(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the input image cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            pipeline.close();
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception ignored) {
                    // Closing mapped checkpoints cannot fail in a way the caller could act on.
                }
            }
        }
    }
}
