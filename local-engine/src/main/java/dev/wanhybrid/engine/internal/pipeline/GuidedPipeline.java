package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.DecodeProgress;
import java.util.function.IntPredicate;
import java.util.function.LongToDoubleFunction;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * What the Wan 2.1 and Wan 2.2 pipelines share: UMT5 prompt encoding, the classifier-free-guidance sampling loop
 * (one {@link PointerScope} per step, conditional and unconditional predictions batched or one after the other),
 * and VAE decoding. Subclasses say which model predicts a step and what is written back into the latents.
 */
abstract class GuidedPipeline implements AutoCloseable {

    /** The model's flow prediction for one step: {@code x} is a batch of {@code batch} copies of the latents. */
    @FunctionalInterface
    interface Prediction {

        Tensor predict(Tensor x, Tensor context, int batch);
    }

    /** Picks the prediction for step {@code index} at {@code timestep}; called outside the step's scope. */
    @FunctionalInterface
    interface StepModel {

        Prediction at(int index, long timestep);
    }

    /** Prompt contexts kept, least recently used dropped first. */
    static final int PROMPT_CACHE_SIZE = 16;

    private final TextTokenizer tokenizer;
    private final UmT5Encoder textEncoder;
    final Device device;
    private final boolean batchGuidance;
    private final PromptCache promptCache = new PromptCache(PROMPT_CACHE_SIZE);
    private Device textEncoderHome;

    GuidedPipeline(TextTokenizer tokenizer, UmT5Encoder textEncoder, Device device, boolean batchGuidance) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.device = device;
        this.batchGuidance = batchGuidance;
    }

    /** The device the pipeline samples on. */
    public Device device() {
        return device;
    }

    /**
     * Text context for a prompt: {@code [realLength, textDim]}, as the official T5 wrapper trims it. The encoder's
     * temporaries are freed before this returns; the context is cached by prompt text (the negative prompt is
     * nearly always the same one, and products repeat prompts), so a repeated prompt costs no encoder pass. When
     * the text encoder is offloaded it is moved onto the device for the encode and back to the CPU after it.
     */
    public Tensor encodePrompt(String prompt) {
        if (tokenizer == null) {
            throw new IllegalStateException("this pipeline has no tokenizer");
        }
        Tensor owned = promptCache.get(prompt);
        if (owned == null) {
            TextTokenizer.Tokens tokens = tokenizer.encode(prompt);
            if (textEncoderHome != null) {
                textEncoder.moveTo(device);
            }
            try {
                owned = Torch.inScope(() -> encodeTokens(tokens.ids(), tokens.mask()));
            } finally {
                if (textEncoderHome != null) {
                    textEncoder.moveTo(textEncoderHome);
                }
            }
            promptCache.put(prompt, owned);
        }
        // A new handle on the cached context, owned by the caller's scope; the cache keeps its own.
        return new Tensor(owned);
    }

    /**
     * Keeps the text encoder's weights on the CPU between encodes (umT5-XXL is about 11 GB in bf16, GPU memory
     * the denoiser can use instead), at the price of copying them to the device for every uncached prompt.
     */
    public void offloadTextEncoder() {
        textEncoderHome = new Device(torch.kCPU());
        textEncoder.moveTo(textEncoderHome);
    }

    /** Prompts whose context is cached. */
    public int cachedPrompts() {
        return promptCache.size();
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
     * The guided sampling loop from {@code latents} ({@code [z, F, h, w]}, kept; this method drops it), from the
     * scheduler's {@link FlowScheduler#stepIndex()} on (0 for a fresh run, the next step for a resumed one).
     *
     * @param guidance the guidance scale at a timestep
     * @param writeBack applied to the scheduler's output before it becomes the next step's latents
     * @param observer sees each step; its {@code latentOut} is the scheduler's output before {@code writeBack}
     * @param suspendBefore asked before every step with its index: true stops the loop there and returns the
     *     latents so far, the scheduler left at that step (its {@code stepIndex()} below the step count)
     * @throws InterruptedException when the thread is interrupted; checked before every step
     */
    final Tensor sample(Tensor latents, Tensor context, Tensor contextNull, int textLength, FlowScheduler scheduler,
            StepModel model, LongToDoubleFunction guidance, UnaryOperator<Tensor> writeBack,
            WanT2vPipeline.StepObserver observer, IntPredicate suspendBefore) throws InterruptedException {
        Tensor both = null;
        try {
            Tensor cond = padRows(context.to(device, ScalarType.Float), textLength).unsqueeze(0);
            Tensor uncond = padRows(contextNull.to(device, ScalarType.Float), textLength).unsqueeze(0);
            both = batchGuidance ? Torch.keep(Torch.cat(0, cond, uncond)) : null;
            long[] timesteps = scheduler.timesteps();
            for (int i = scheduler.stepIndex(); i < timesteps.length; i++) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("generation cancelled before step " + (i + 1) + " of "
                            + timesteps.length);
                }
                if (suspendBefore.test(i)) {
                    break;
                }
                long t = timesteps[i];
                Prediction prediction = model.at(i, t);
                try (PointerScope scope = new PointerScope()) {
                    Tensor in = latents.unsqueeze(0);
                    Tensor predCond;
                    Tensor predUncond;
                    if (batchGuidance) {
                        Tensor pred = prediction.predict(Torch.cat(0, in, in), both, 2);
                        predCond = pred.narrow(0, 0, 1);
                        predUncond = pred.narrow(0, 1, 1);
                    } else {
                        predCond = prediction.predict(in, cond, 1);
                        predUncond = prediction.predict(in, uncond, 1);
                    }
                    Tensor guided = predUncond.add(predCond.sub(predUncond).mul(s(guidance.applyAsDouble(t))));
                    Tensor next = scheduler.step(guided, in).squeeze(0);
                    observer.onStep(i, t, latents, predCond.squeeze(0), predUncond.squeeze(0), guided.squeeze(0),
                            next);
                    Tensor kept = Torch.keep(writeBack.apply(next));
                    Torch.drop(latents);
                    latents = kept;
                }
            }
            return new Tensor(latents);
        } finally {
            Torch.drop(latents);
            Torch.drop(both);
        }
    }

    /** The VAE's decode of a batch {@code [B, z, F, h, w]}, on the CPU. */
    abstract Tensor vaeDecode(Tensor latents, DecodeProgress progress);

    /** Decodes latents {@code [z, F, h, w]} to video {@code [3, T, H, W]} in [-1, 1], on the CPU. */
    public Tensor decode(Tensor latents) {
        return decode(latents, DecodeProgress.NONE);
    }

    /** As {@link #decode(Tensor)}, reporting each decoded chunk; cancellable between chunks. */
    public Tensor decode(Tensor latents, DecodeProgress progress) {
        try (PointerScope scope = new PointerScope()) {
            Tensor video = vaeDecode(latents.unsqueeze(0), progress).squeeze(0)
                    .to(new Device(torch.kCPU()), ScalarType.Float);
            return Torch.keep(video);
        }
    }

    private static Tensor padRows(Tensor context, int rows) {
        if (context.size(0) > rows) {
            throw new IllegalArgumentException("context has " + context.size(0) + " rows, more than " + rows);
        }
        return Torch.pad(context, 0, 0, 0, rows - context.size(0));
    }

    /** Closes the denoising model(s) and the VAE, after the text side. */
    abstract void closeModels();

    @Override
    public void close() {
        promptCache.clear();
        if (tokenizer != null) {
            tokenizer.close();
        }
        textEncoder.close();
        closeModels();
    }

    /** An LRU map of prompt to context handle; it owns its handles and drops them when evicted or cleared. */
    private static final class PromptCache extends java.util.LinkedHashMap<String, Tensor> {

        private final int capacity;

        PromptCache(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Tensor> eldest) {
            if (size() > capacity) {
                Torch.drop(eldest.getValue());
                return true;
            }
            return false;
        }

        @Override
        public void clear() {
            values().forEach(Torch::drop);
            super.clear();
        }
    }
}
