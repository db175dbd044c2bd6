package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Wan 2.2 generation as {@code WanTI2V.generate} ({@code wan/textimage2video.py}) runs it, text-to-video and
 * image-to-video in one loop, and as {@code WanT2V.generate} ({@code wan/text2video.py}) runs the A14B expert
 * pair: each denoising step gives the DiT one timestep per token; with an image, latent frame 0 is the image's
 * VAE latent, its tokens get timestep 0, and it is written back into the latent after every scheduler step.
 *
 * <p>Every step runs in its own {@link PointerScope}; only the latents and the scheduler history cross steps.
 */
public final class Wan22Pipeline implements AutoCloseable {

    private final TextTokenizer tokenizer;
    private final UmT5Encoder textEncoder;
    private final DenoiserExperts experts;
    private final LatentCodec vae;
    private final Device device;
    private final boolean batchGuidance;

    /**
     * @param tokenizer may be null when callers pass token ids themselves
     * @param batchGuidance run the conditional and unconditional predictions as one batch of two
     */
    public Wan22Pipeline(TextTokenizer tokenizer, UmT5Encoder textEncoder, DenoiserExperts experts, LatentCodec vae,
            Device device, boolean batchGuidance) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.experts = experts;
        this.vae = vae;
        this.device = device;
        this.batchGuidance = batchGuidance;
    }

    public DenoiserExperts experts() {
        return experts;
    }

    public LatentCodec vae() {
        return vae;
    }

    /** Text context for a prompt: {@code [realLength, textDim]}, as the official T5 wrapper trims it. */
    public Tensor encodePrompt(String prompt) {
        if (tokenizer == null) {
            throw new IllegalStateException("this pipeline has no tokenizer");
        }
        TextTokenizer.Tokens tokens = tokenizer.encode(prompt);
        return encodeTokens(tokens.ids(), tokens.mask());
    }

    /** Text context for token ids and mask of the tokenizer's length. */
    public Tensor encodeTokens(long[] ids, long[] mask) {
        int real = 0;
        for (long m : mask) {
            real += m > 0 ? 1 : 0;
        }
        Tensor idsT = Torch.fromLongs(ids, 1, ids.length).to(device, ScalarType.Long);
        Tensor maskT = Torch.fromLongs(mask, 1, mask.length).to(device, ScalarType.Long);
        return textEncoder.encode(idsT, maskT).select(0, 0).narrow(0, 0, real);
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
        WanTransformer first = experts.any();
        int textLength = first.config().textLength();
        int[] patch = first.config().patch();
        Tensor cond = padRows(context.to(device, ScalarType.Float), textLength).unsqueeze(0);
        Tensor uncond = padRows(contextNull.to(device, ScalarType.Float), textLength).unsqueeze(0);
        Tensor both = batchGuidance ? Torch.keep(Torch.cat(0, cond, uncond)) : null;
        Tensor image = imageLatent == null ? null : Torch.keep(imageLatent.to(device, ScalarType.Float));
        Tensor latents = Torch.keep(withImage(noise.to(device, ScalarType.Float), image));
        long frames = noise.size(1);
        int tokensPerFrame = (int) (noise.size(2) / patch[1] * (noise.size(3) / patch[2]));
        if (patch[0] != 1) {
            throw new IllegalArgumentException("per-token timesteps need a temporal patch of 1, got " + patch[0]);
        }
        long[] timesteps = scheduler.timesteps();
        try {
            for (int i = 0; i < timesteps.length; i++) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("generation cancelled before step " + (i + 1) + " of "
                            + timesteps.length);
                }
                long t = timesteps[i];
                WanTransformer model = experts.forTimestep(t);
                double[] tokenTimes = tokenTimesteps(t, frames, tokensPerFrame, image != null);
                try (PointerScope scope = new PointerScope()) {
                    Tensor in = latents.unsqueeze(0);
                    Tensor predCond;
                    Tensor predUncond;
                    if (batchGuidance) {
                        Tensor pred = model.forwardPerToken(Torch.cat(0, in, in),
                                new double[][] {tokenTimes, tokenTimes}, both, (n, v) -> {});
                        predCond = pred.narrow(0, 0, 1);
                        predUncond = pred.narrow(0, 1, 1);
                    } else {
                        predCond = model.forwardPerToken(in, new double[][] {tokenTimes}, cond, (n, v) -> {});
                        predUncond = model.forwardPerToken(in, new double[][] {tokenTimes}, uncond, (n, v) -> {});
                    }
                    Tensor guided = predUncond.add(predCond.sub(predUncond).mul(s(experts.guidance(t))));
                    Tensor stepped = scheduler.step(guided, in).squeeze(0);
                    observer.onStep(i, t, latents, predCond.squeeze(0), predUncond.squeeze(0), guided.squeeze(0),
                            stepped);
                    Tensor kept = Torch.keep(withImage(stepped, image));
                    Torch.drop(latents);
                    latents = kept;
                }
            }
            return new Tensor(latents);
        } finally {
            Torch.drop(latents);
            Torch.drop(both);
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

    /** Decodes latents {@code [z, F, h, w]} to video {@code [3, T, H, W]} in [-1, 1], on the CPU. */
    public Tensor decode(Tensor latents) {
        try (PointerScope scope = new PointerScope()) {
            Tensor video = vae.decode(latents.unsqueeze(0)).squeeze(0).to(new Device(torch.kCPU()), ScalarType.Float);
            return Torch.keep(video);
        }
    }

    private static Tensor padRows(Tensor context, int rows) {
        if (context.size(0) > rows) {
            throw new IllegalArgumentException("context has " + context.size(0) + " rows, more than " + rows);
        }
        return Torch.pad(context, 0, 0, 0, rows - context.size(0));
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        textEncoder.close();
        experts.close();
        vae.close();
    }
}
