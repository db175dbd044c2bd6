package dev.wanhybrid.engine.internal.pipeline;

import dev.wanhybrid.engine.internal.vae.Wan22Vae;
import dev.wanhybrid.engine.internal.vae.WanVae;
import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/** The VAE a pipeline encodes images and decodes latents with: Wan 2.1's (A14B) or Wan 2.2's (TI2V-5B). */
public interface LatentCodec extends AutoCloseable {

    /** Video {@code [B, 3, 1 + 4k, H, W]} in [-1, 1] to normalised latents. */
    Tensor encode(Tensor video);

    /** Normalised latents {@code [B, z, F, h, w]} to video in [-1, 1], on the CPU. */
    default Tensor decode(Tensor latents) {
        return decode(latents, DecodeProgress.NONE);
    }

    /** As {@link #decode(Tensor)}, reporting each decoded chunk (and cancellable between chunks). */
    Tensor decode(Tensor latents, DecodeProgress progress);

    int latentChannels();

    int temporalStride();

    int spatialStride();

    @Override
    void close();

    static LatentCodec of(Wan22Vae vae) {
        return of(vae::encode, (latents, progress) -> vae.decode(latents, progress), vae.config().zDim(), vae.config().temporalStride(),
                vae.config().spatialStride(), vae::close);
    }

    static LatentCodec of(WanVae vae) {
        return of(vae::encode, (latents, progress) -> vae.decode(latents, progress), vae.config().zDim(), vae.config().temporalStride(),
                vae.config().spatialStride(), vae::close);
    }

    private static LatentCodec of(UnaryOperator<Tensor> encode, BiFunction<Tensor, DecodeProgress, Tensor> decode,
            int latentChannels,
            int temporalStride, int spatialStride, Runnable close) {
        return new LatentCodec() {
            public Tensor encode(Tensor video) {
                return encode.apply(video);
            }

            public Tensor decode(Tensor latents, DecodeProgress progress) {
                return decode.apply(latents, progress);
            }

            public int latentChannels() {
                return latentChannels;
            }

            public int temporalStride() {
                return temporalStride;
            }

            public int spatialStride() {
                return spatialStride;
            }

            public void close() {
                close.run();
            }
        };
    }
}
