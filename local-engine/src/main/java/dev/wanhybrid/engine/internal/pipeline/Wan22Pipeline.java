package dev.wanhybrid.engine.internal.pipeline;

import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import java.util.function.IntPredicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Wan 2.2 generation as {@code WanTI2V.generate} ({@code wan/textimage2video.py}) runs it, text-to-video and
 * image-to-video in one loop, and as {@code WanT2V.generate} ({@code wan/text2video.py}) runs the A14B expert
 * pair: each denoising step gives the DiT one timestep per token; with an image, latent frame 0 is the image's
 * VAE latent, its tokens get timestep 0, and it is written back into the latent after every scheduler step.
 *
 * <p>Every step runs in its own {@link PointerScope}; only the latents and the scheduler history cross steps.
 */
public final class Wan22Pipeline extends GuidedPipeline {

    private final DenoiserExperts experts;
    private final LatentCodec vae;

    /**
     * @param tokenizer may be null when callers pass token ids themselves
     * @param batchGuidance run the conditional and unconditional predictions as one batch of two
     */
    public Wan22Pipeline(TextTokenizer tokenizer, UmT5Encoder textEncoder, DenoiserExperts experts, LatentCodec vae,
            Device device, boolean batchGuidance) {
        super(tokenizer, textEncoder, device, batchGuidance);
        this.experts = experts;
        this.vae = vae;
    }

    public DenoiserExperts experts() {
        return experts;
    }

    public LatentCodec vae() {
        return vae;
    }

    /** The normalised latent {@code [z, 1, h, w]} of an image tensor {@code [3, 1, H, W]} in [-1, 1]. */
    public Tensor encodeImage(Tensor image) {
        try (PointerScope scope = new PointerScope()) {
            return Torch.keep(vae.encode(image.to(device, ScalarType.Float).unsqueeze(0)).squeeze(0));
        }
    }

    /**
     * Samples latents from {@code noise} ({@code [z, F, h, w]}).
     *
     * @param imageLatent {@code [z, 1, h, w]} for image-to-video, null for text-to-video
     * @param observer sees each step; its {@code latentOut} is the scheduler's output before the frame-0 write-back
     * @throws InterruptedException when the thread is interrupted; checked before every step
     */
    public Tensor denoise(Tensor noise, Tensor context, Tensor contextNull, Tensor imageLatent,
            FlowScheduler scheduler, WanT2vPipeline.StepObserver observer) throws InterruptedException {
        return denoise(noise, context, contextNull, imageLatent, scheduler, observer, step -> false);
    }

    /**
     * As {@link #denoise(Tensor, Tensor, Tensor, Tensor, FlowScheduler, WanT2vPipeline.StepObserver)} from the
     * scheduler's step on, with {@code noise} the latents at that step (the image frame written back is
     * idempotent); stops before a step {@code suspendBefore} accepts. The expert for each step follows from its
     * timestep, so a resumed A14B run picks (and if needed loads) the same expert the uninterrupted one would.
     */
    public Tensor denoise(Tensor noise, Tensor context, Tensor contextNull, Tensor imageLatent,
            FlowScheduler scheduler, WanT2vPipeline.StepObserver observer, IntPredicate suspendBefore)
            throws InterruptedException {
        WanTransformer first = experts.any();
        int textLength = first.config().textLength();
        int[] patch = first.config().patch();
        if (patch[0] != 1) {
            throw new IllegalArgumentException("per-token timesteps need a temporal patch of 1, got " + patch[0]);
        }
        long frames = noise.size(1);
        int tokensPerFrame = (int) (noise.size(2) / patch[1] * (noise.size(3) / patch[2]));
        Tensor image = imageLatent == null ? null : Torch.keep(imageLatent.to(device, ScalarType.Float));
        try {
            Tensor latents = Torch.keep(withImage(noise.to(device, ScalarType.Float), image));
            return sample(latents, context, contextNull, textLength, scheduler, (i, t) -> {
                WanTransformer model = experts.forTimestep(t);
                double[] tokenTimes = tokenTimesteps(t, frames, tokensPerFrame, image != null);
                return (x, ctx, batch) -> model.forwardPerToken(x,
                        batch == 2 ? new double[][] {tokenTimes, tokenTimes} : new double[][] {tokenTimes}, ctx,
                        (n, v) -> {});
            }, experts::guidance, stepped -> withImage(stepped, image), observer, suspendBefore);
        } finally {
            Torch.drop(image);
        }
    }

    /**
     * {@code masks_like(..)[1][0][:, ::2, ::2] * t}, flattened frame-row-column: every token at {@code t}, except the
     * tokens of latent frame 0 at 0 when an image conditions it.
     */
    static double[] tokenTimesteps(long t, long frames, int tokensPerFrame, boolean image) {
        double[] times = new double[(int) (frames * tokensPerFrame)];
        java.util.Arrays.fill(times, image ? tokensPerFrame : 0, times.length, t);
        return times;
    }

    /** Latent frame 0 replaced by the image latent: {@code (1 - mask) * z + mask * latent} with a 0/1 mask. */
    private static Tensor withImage(Tensor latents, Tensor image) {
        if (image == null) {
            return latents;
        }
        return Torch.cat(1, image.to(latents.device(), latents.scalar_type()),
                latents.narrow(1, 1, latents.size(1) - 1));
    }

    @Override
    Tensor vaeDecode(Tensor latents, DecodeProgress progress) {
        return vae.decode(latents, progress);
    }

    @Override
    void closeModels() {
        experts.close();
        vae.close();
    }
}
