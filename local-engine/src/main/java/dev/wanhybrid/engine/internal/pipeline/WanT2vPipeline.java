package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.WanVae;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Wan text-to-video as {@code WanT2V.generate} ({@code wan/text2video.py}) runs it: text encoding of the prompt
 * and the negative prompt, seeded Gaussian noise, flow-matching sampling with classifier-free guidance, VAE
 * decoding.
 *
 * <p>Every denoising step runs inside its own {@link PointerScope}, so the step's temporaries are freed when
 * it ends rather than when the garbage collector gets to them; only the latents cross steps.
 */
public final class WanT2vPipeline implements AutoCloseable {

    private final TextTokenizer tokenizer;
    private final UmT5Encoder textEncoder;
    private final WanTransformer transformer;
    private final WanVae vae;
    private final Device device;
    private final boolean batchGuidance;

    /**
     * @param tokenizer may be null when callers pass token ids themselves
     * @param batchGuidance run the conditional and unconditional predictions as one batch of two (same
     *     numbers, fewer kernel launches); false runs them one after the other, as upstream, halving peak memory
     */
    public WanT2vPipeline(TextTokenizer tokenizer, UmT5Encoder textEncoder, WanTransformer transformer, WanVae vae,
            Device device, boolean batchGuidance) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.transformer = transformer;
        this.vae = vae;
        this.device = device;
        this.batchGuidance = batchGuidance;
    }

    public WanTransformer transformer() {
        return transformer;
    }

    public WanVae vae() {
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

    /**
     * Initial noise {@code [z, F, H, W]} from a CPU generator seeded with {@code seed} (libtorch's CPU Mersenne
     * Twister, so the same numbers as {@code torch.randn(..., generator=torch.Generator('cpu').manual_seed(seed))}).
     */
    public static Tensor initialNoise(long seed, long... shape) {
        var generator = torch.createCPUGenerator(seed);
        return torch.randn(shape, new GeneratorOptional(generator), new TensorOptions(ScalarType.Float));
    }

    /** Observes each denoising step; tensors are only valid during the call. */
    @FunctionalInterface
    public interface StepObserver {

        void onStep(int index, long timestep, Tensor latentIn, Tensor cond, Tensor uncond, Tensor guided,
                Tensor latentOut);
    }

    /**
     * Samples latents from {@code noise} ({@code [z, F, H, W]}).
     *
     * @param context prompt context {@code [Lc, textDim]}
     * @param contextNull negative-prompt context {@code [Ln, textDim]}
     * @throws InterruptedException when the thread is interrupted; checked before every step
     */
    public Tensor denoise(Tensor noise, Tensor context, Tensor contextNull, FlowScheduler scheduler,
            double guidanceScale, StepObserver observer) throws InterruptedException {
        int textLength = transformer.config().textLength();
        Tensor cond = padRows(context.to(device, ScalarType.Float), textLength).unsqueeze(0);
        Tensor uncond = padRows(contextNull.to(device, ScalarType.Float), textLength).unsqueeze(0);
        Tensor both = batchGuidance ? Torch.keep(Torch.cat(0, cond, uncond)) : null;
        Tensor latents = Torch.keep(noise.to(device, ScalarType.Float));
        long[] timesteps = scheduler.timesteps();
        try {
            for (int i = 0; i < timesteps.length; i++) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("generation cancelled before step " + (i + 1) + " of "
                            + timesteps.length);
                }
                try (PointerScope scope = new PointerScope()) {
                    Tensor in = latents.unsqueeze(0);
                    Tensor predCond;
                    Tensor predUncond;
                    if (batchGuidance) {
                        Tensor pred = transformer.forward(Torch.cat(0, in, in), new long[] {timesteps[i], timesteps[i]},
                                both);
                        predCond = pred.narrow(0, 0, 1);
                        predUncond = pred.narrow(0, 1, 1);
                    } else {
                        predCond = transformer.forward(in, new long[] {timesteps[i]}, cond);
                        predUncond = transformer.forward(in, new long[] {timesteps[i]}, uncond);
                    }
                    Tensor guided = predUncond.add(predCond.sub(predUncond).mul(s(guidanceScale)));
                    Tensor next = scheduler.step(guided, in).squeeze(0);
                    observer.onStep(i, timesteps[i], latents, predCond.squeeze(0), predUncond.squeeze(0),
                            guided.squeeze(0), next);
                    Tensor kept = Torch.keep(next);
                    Torch.drop(latents);
                    latents = kept;
                }
            }
            Tensor result = new Tensor(latents);
            return result;
        } finally {
            Torch.drop(latents);
            Torch.drop(both);
        }
    }

    /** Decodes latents {@code [z, F, H, W]} to video {@code [3, T, H, W]} in [-1, 1], on the CPU. */
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
        transformer.close();
        vae.close();
    }
}
