package dev.wanhybrid.engine.internal;

import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineResult;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.internal.video.VideoFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The part of a generation the Wan 2.1 and Wan 2.2 engines share: sampling inside one {@link PointerScope},
 * decoding, writing the MP4, progress 95 and 100, and turning failures into {@link EngineException}s (the
 * partial MP4 deleted).
 */
final class Generation {

    /** Encodes the request and samples its latents; runs inside the generation's scope. */
    @FunctionalInterface
    interface Sampling {

        Tensor latents() throws InterruptedException;
    }

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
    static EngineResult run(Sampling sampling, Decoding decode, EngineInfo info,
            Map<String, String> mp4Metadata, Path outputMp4, int frames, ProgressListener listener, long started,
            boolean badInputIsInvalid) throws EngineException, InterruptedException {
        Tensor video = null;
        Duration deviceTime;
        try (PointerScope scope = new PointerScope()) {
            Tensor latents = sampling.latents();
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
        return new EngineResult(outputMp4, frames, info.fps(), deviceTime);
    }
}
