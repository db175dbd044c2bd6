package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOutcome;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.SuspendedGeneration;
import dev.wanhybrid.engine.Suspension;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.torch.HostCopies;
import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import dev.wanhybrid.engine.internal.video.VideoFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The part of a generation the Wan 2.1 and Wan 2.2 engines share: sampling inside one {@link PointerScope},
 * decoding, writing the MP4, progress 95 and 100, and turning failures into {@link EngineException}s (the
 * partial MP4 deleted); and suspending at a step boundary (the state copied to the heap, nothing decoded or
 * written) and resuming from such a state.
 */
final class Generation {

    /** Encodes the request and samples its latents; runs inside the generation's scope. */
    @FunctionalInterface
    interface Sampling {

        Sampled latents() throws InterruptedException;
    }

    /** What sampling ended with: the final latents, or (suspended before the last step) the state to resume. */
    record Sampled(Tensor latents, SuspendedGeneration suspended) {}

    /** Decodes the sampled latents to a CPU video, reporting each VAE chunk. */
    @FunctionalInterface
    interface Decoding {

        Tensor video(Tensor latents, DecodeProgress progress);
    }

    private Generation() {}

    /**
     * @param badInputIsInvalid report an {@link IllegalArgumentException} as an invalid request (its message as
     *     is) rather than as a failed generation
     */
    static EngineOutcome run(Sampling sampling, Decoding decode, EngineInfo info,
            Map<String, String> mp4Metadata, Path outputMp4, int frames, ProgressListener listener, long started,
            boolean badInputIsInvalid, Consumer<HostTensor> finalLatents) throws EngineException, InterruptedException {
        Tensor video = null;
        Duration deviceTime;
        try (PointerScope scope = new PointerScope()) {
            Sampled sampled = sampling.latents();
            if (sampled.suspended() != null) {
                // Every native tensor of the run (latents, contexts, sampler history) is freed with this scope.
                return EngineOutcome.suspended(sampled.suspended());
            }
            Tensor latents = sampled.latents();
            if (finalLatents != null) {
                finalLatents.accept(HostCopies.toHost(latents));
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("generation cancelled before decoding");
            }
            video = decode.video(latents, (done, total) -> listener.onProgress(90 + 5 * done / total));
            deviceTime = Duration.ofNanos(System.nanoTime() - started);
            listener.onProgress(95);
            VideoFiles.writeMp4(video, outputMp4, info.fps(), mp4Metadata);
        } catch (InterruptedException e) {
            throw e;
        } catch (java.util.concurrent.CancellationException e) {
            // The VAE saw the interrupt between chunks: report it as the cancellation it is.
            Thread.interrupted();
            VideoFiles.deletePartial(outputMp4);
            throw new InterruptedException(e.getMessage());
        } catch (IOException | RuntimeException e) {
            VideoFiles.deletePartial(outputMp4);
            if (badInputIsInvalid && e instanceof IllegalArgumentException) {
                throw new EngineException(e.getMessage(), true, e);
            }
            throw new EngineException(VideoFiles.describe(e), false, e);
        } finally {
            if (video != null) {
                video.close();
            }
        }
        listener.onProgress(100);
        return EngineOutcome.finished(new EngineResult(outputMp4, frames, info.fps(), deviceTime));
    }

    /** The progress after {@code done} of {@code steps} denoising steps: 5 to 90. */
    static int stepPercent(int done, int steps) {
        return 5 + 85 * done / steps;
    }

    /** The sampler's stop test for {@code suspension} (null: never). */
    static IntPredicate suspendBefore(Suspension suspension) {
        return suspension == null ? step -> false : suspension::suspendsBefore;
    }

    /** Fails unless {@code suspended} was made by this engine's model. */
    static void checkResumable(SuspendedGeneration suspended, EngineInfo info) throws EngineException {
        if (suspended == null) {
            throw new EngineException("nothing to resume", true, null);
        }
        if (!info.modelId().equals(suspended.modelId())) {
            throw new EngineException("a generation suspended on " + suspended.modelId() + " cannot resume on "
                    + info.modelId(), true, null);
        }
    }

    /** A scheduler for the run: fresh, or with {@code from}'s sampler state (its tensors put on {@code device}). */
    static FlowScheduler scheduler(String sampler, int steps, double shift, SuspendedGeneration from,
            Device device) {
        FlowScheduler scheduler = FlowScheduler.create(sampler, steps, shift);
        if (from != null) {
            scheduler.restoreState(from.tensors(), from.counters(), device);
        }
        return scheduler;
    }

    /** The tensor {@code name} of a suspended run on {@code device} (null when it holds none). */
    static Tensor restored(SuspendedGeneration from, String name, Device device) {
        HostTensor host = from.tensors().get(name);
        return host == null ? null : HostCopies.toDevice(host, device);
    }

    /**
     * The end of sampling: the latents when every step ran, else the suspended state: the latents, the run's
     * {@code inputs} (null ones left out) and the scheduler's state, all copied to the heap.
     */
    static Sampled sampled(Tensor latents, FlowScheduler scheduler, String modelId, EngineRequest request,
            Map<String, Tensor> inputs) {
        int next = scheduler.stepIndex();
        if (next >= scheduler.timesteps().length) {
            return new Sampled(latents, null);
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("latents", HostCopies.toHost(latents));
        inputs.forEach((name, t) -> {
            if (t != null) {
                tensors.put(name, HostCopies.toHost(t));
            }
        });
        Map<String, Long> numbers = new LinkedHashMap<>();
        scheduler.saveState(tensors, numbers);
        return new Sampled(null, new SuspendedGeneration(modelId, request, next, tensors, numbers));
    }
}
