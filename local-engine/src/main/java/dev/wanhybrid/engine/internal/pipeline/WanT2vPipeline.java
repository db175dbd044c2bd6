package dev.wanhybrid.engine.internal.pipeline;

import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import dev.wanhybrid.engine.internal.vae.WanVae;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
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
public final class WanT2vPipeline extends GuidedPipeline {

    private final WanTransformer transformer;
    private final WanVae vae;

    /**
     * @param tokenizer may be null when callers pass token ids themselves
     * @param batchGuidance run the conditional and unconditional predictions as one batch of two (same
     *     numbers, fewer kernel launches); false runs them one after the other, as upstream, halving peak memory
     */
    public WanT2vPipeline(TextTokenizer tokenizer, UmT5Encoder textEncoder, WanTransformer transformer, WanVae vae,
            Device device, boolean batchGuidance) {
        super(tokenizer, textEncoder, device, batchGuidance);
        this.transformer = transformer;
        this.vae = vae;
    }

    public WanTransformer transformer() {
        return transformer;
    }

    public WanVae vae() {
        return vae;
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
        return denoise(noise, context, contextNull, scheduler, guidanceScale, observer, step -> false);
    }

    /**
     * As {@link #denoise(Tensor, Tensor, Tensor, FlowScheduler, double, StepObserver)} from the scheduler's step
     * on, with {@code noise} the latents at that step; stops before a step {@code suspendBefore} accepts and
     * returns the latents there (the scheduler's {@code stepIndex()} then says which step is next).
     */
    public Tensor denoise(Tensor noise, Tensor context, Tensor contextNull, FlowScheduler scheduler,
            double guidanceScale, StepObserver observer, IntPredicate suspendBefore) throws InterruptedException {
        int textLength = transformer.config().textLength();
        Tensor latents = Torch.keep(noise.to(device, ScalarType.Float));
        return sample(latents, context, contextNull, textLength, scheduler,
                (i, t) -> (x, ctx, batch) -> transformer.forward(x, batch == 2 ? new long[] {t, t} : new long[] {t},
                        ctx),
                t -> guidanceScale, UnaryOperator.identity(), observer, suspendBefore);
    }

    @Override
    Tensor vaeDecode(Tensor latents, DecodeProgress progress) {
        return vae.decode(latents, progress);
    }

    @Override
    void closeModels() {
        transformer.close();
        vae.close();
    }
}
