package dev.wanhybrid.engine;

import com.google.gson.JsonParser;
import dev.wanhybrid.engine.internal.Wan22Loader;
import dev.wanhybrid.engine.internal.WanVideoEngine;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipeline;
import dev.wanhybrid.engine.internal.text.ByteTokenizer;
import dev.wanhybrid.engine.internal.text.PromptTokenizer;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Numerics;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.WanVae;
import dev.wanhybrid.engine.internal.vae.WanVaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.RandomWeights;
import dev.wanhybrid.engine.internal.weights.WeightSource;
import dev.wanhybrid.engine.internal.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Loads Wan video engines: from a Diffusers checkpoint folder, or the file-free demo model. */
public final class WanEngines {

    /** Catalog id reported by the random-weight demo engine. */
    public static final String DEMO_MODEL_ID = "wan2.1-t2v-demo";

    /** Seed of the demo model's weights: every demo engine is the same model. */
    public static final long DEMO_WEIGHT_SEED = 20250225L;

    private static final int FPS = 16;

    private WanEngines() {}

    /**
     * Loads a Wan 2.1 text-to-video checkpoint in the Diffusers layout ({@code model_index.json},
     * {@code tokenizer/}, {@code text_encoder/}, {@code transformer/}, {@code vae/}); weights are read once.
     *
     * @throws EngineException when a file is missing or corrupt, a tensor is missing, unexpected or mis-shaped
     *     (named in the message), or the device is unavailable
     */
    public static VideoEngine load(Path diffusersFolder, EngineOptions options) throws EngineException {
        return load(diffusersFolder, options, Map.of());
    }

    /**
     * Loads a Wan 2.1 T2V or Wan 2.2 (TI2V-5B, T2V-A14B) checkpoint in the Diffusers layout; the model is detected
     * from {@code model_index.json} and the VAE config. {@code loras} maps names requests may select (see
     * {@link EngineRequest#loras()}) to LoRA files in the Diffusers naming; only Wan 2.2 engines take LoRAs.
     *
     * @throws EngineException as {@link #load(Path, EngineOptions)}
     */
    public static VideoEngine load(Path diffusersFolder, EngineOptions options, Map<String, Path> loras)
            throws EngineException {
        Device device = device(options);
        try {
            checkPipelineClass(diffusersFolder);
            if (Wan22Loader.isWan22(diffusersFolder)) {
                return Wan22Loader.load(diffusersFolder, options, loras, device);
            }
            if (!loras.isEmpty()) {
                throw new WeightsException("LoRAs are supported on Wan 2.2 checkpoints only");
            }
            UmT5Config t5Config = UmT5Config.read(diffusersFolder.resolve("text_encoder/config.json"));
            WanTransformerConfig ditConfig = WanTransformerConfig.read(
                    diffusersFolder.resolve("transformer/config.json"), options.textLength());
            WanVaeConfig vaeConfig = WanVaeConfig.read(diffusersFolder.resolve("vae/config.json"));
            checkCompatible(t5Config, ditConfig, vaeConfig);
            DType dtype = DType.fromName(options.dtype());
            TextTokenizer tokenizer = PromptTokenizer.open(diffusersFolder.resolve("tokenizer/tokenizer.json"),
                    options.textLength());
            WanT2vPipeline pipeline;
            try (ComponentWeights t5 = ComponentWeights.open(diffusersFolder.resolve("text_encoder"));
                    ComponentWeights dit = ComponentWeights.open(diffusersFolder.resolve("transformer"));
                    ComponentWeights vae = ComponentWeights.open(diffusersFolder.resolve("vae"))) {
                pipeline = build(tokenizer, t5Config, ditConfig, vaeConfig, t5, dit, vae, dtype, device, options);
            } catch (RuntimeException e) {
                // build() closes the tokenizer itself; here only a failure to open the weights is left.
                tokenizer.close();
                throw e;
            }
            String modelId = options.modelId() != null ? options.modelId() : modelId(ditConfig);
            EngineInfo info = new EngineInfo(modelId, diffusersFolder.toAbsolutePath().toString(),
                    device.str().getString(), 832, 480, 81, FPS);
            return new WanVideoEngine(info, pipeline, options.shift(), Map.of());
        } catch (WeightsException e) {
            throw new EngineException(e.getMessage(), false, e);
        } catch (RuntimeException e) {
            throw new EngineException("loading " + diffusersFolder + " failed: " + e.getMessage(), false, e);
        }
    }

    /**
     * A tiny random-weight Wan model built from a fixed seed, needing no files, so the whole path (tokenizer,
     * text encoder, DiT, sampler, VAE, MP4) runs on a laptop CPU. Its videos are noise-like patterns, not
     * pictures; its id is {@link #DEMO_MODEL_ID} and every MP4 it writes carries a "demo output" comment.
     */
    public static VideoEngine demo(EngineOptions options) throws EngineException {
        Device device = device(options);
        int textLength = Math.min(options.textLength(), 64);
        UmT5Config t5Config = new UmT5Config(256, 32, 8, 4, 64, 2, 32, 128, 1e-6);
        WanTransformerConfig ditConfig = new WanTransformerConfig(16, 16, 64, 128, 32, 32, 4, 2,
                new int[] {1, 2, 2}, 1e-6, true, textLength);
        WanVaeConfig vaeConfig = new WanVaeConfig(8, 16, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true},
                WanVaeConfig.WAN21_LATENTS_MEAN, WanVaeConfig.WAN21_LATENTS_STD);
        try {
            WeightSource random = new RandomWeights(DEMO_WEIGHT_SEED);
            WanT2vPipeline pipeline = build(new ByteTokenizer(t5Config.vocab(), textLength), t5Config, ditConfig,
                    vaeConfig, random, random, random, DType.fromName(options.dtype()), device, options);
            EngineInfo info = new EngineInfo(DEMO_MODEL_ID, "demo:random-weights-seed-" + DEMO_WEIGHT_SEED,
                    device.str().getString(), 256, 160, 17, FPS);
            return new WanVideoEngine(info, pipeline, options.shift(),
                    Map.of("comment", "demo output: random-weight Wan model, not a trained checkpoint"));
        } catch (RuntimeException e) {
            throw new EngineException("building the demo model failed: " + e.getMessage(), false, e);
        }
    }

    /**
     * A tiny random-weight Wan 2.2 TI2V model (id {@code wan2.2-ti2v-demo}): text- and image-to-video with the
     * whole Wan 2.2 path (per-token timesteps, residual VAE, 24 fps MP4) on a laptop CPU, and LoRAs shaped for
     * its DiT (width 64, FFN 128, two blocks, as the wan22-tiny fixtures) from {@code loras}.
     */
    public static VideoEngine demoWan22(EngineOptions options, Map<String, Path> loras) throws EngineException {
        Device device = device(options);
        try {
            return Wan22Loader.demo(options, loras, device);
        } catch (RuntimeException e) {
            throw new EngineException("building the Wan 2.2 demo model failed: " + e.getMessage(), false, e);
        }
    }

    private static WanT2vPipeline build(TextTokenizer tokenizer, UmT5Config t5Config, WanTransformerConfig ditConfig,
            WanVaeConfig vaeConfig, WeightSource t5, WeightSource dit, WeightSource vae, DType dtype, Device device,
            EngineOptions options) {
        UmT5Encoder encoder = null;
        WanTransformer transformer = null;
        try {
            encoder = UmT5Encoder.load(t5Config, t5, dtype, device);
            transformer = WanTransformer.load(ditConfig, dit, dtype, device);
            // The VAE stays in float32 as the official WanVAE wrapper does (dtype=torch.float).
            WanVae decoder = WanVae.load(vaeConfig, vae, DType.F32, device);
            WanT2vPipeline pipeline = new WanT2vPipeline(tokenizer, encoder, transformer, decoder, device,
                    options.batchGuidance());
            if (options.offloadTextEncoder() && device.is_cuda()) {
                pipeline.offloadTextEncoder();
            }
            return pipeline;
        } catch (RuntimeException e) {
            if (encoder != null) {
                encoder.close();
            }
            if (transformer != null) {
                transformer.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    private static Device device(EngineOptions options) throws EngineException {
        Torch.configureThreads(options.threads());
        Device device;
        if (options.device().startsWith("cuda")) {
            if (!torch.cuda_is_available()) {
                throw new EngineException("device " + options.device() + " requested but libtorch sees no CUDA device"
                        + " (CPU natives on the classpath, or no driver/CUDA libraries on this host)", false, null);
            }
            device = new Device(options.device().equals("cuda") ? "cuda:0" : options.device());
        } else {
            device = new Device(torch.kCPU());
        }
        checkNumerics(device);
        return device;
    }

    /**
     * Refuses to build an engine on a device whose float32 convolutions or matrix products disagree with float64
     * (see {@link Numerics}): such an engine would make wrong videos silently.
     */
    static void checkNumerics(Device device) throws EngineException {
        Numerics.Report report = Numerics.checkOnce(device);
        if (!report.ok()) {
            throw new EngineException("numerics self-check failed on " + report.device() + ": " + report.summary()
                    + "; this libtorch build computes wrong results here, so the engine will not serve (set"
                    + " -Dengine.onednn=false, the default, or use another device)", false, null);
        }
    }

    private static void checkPipelineClass(Path folder) {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new WeightsException(folder + " is not a Diffusers checkpoint: model_index.json is missing");
        }
        try {
            String cls = JsonParser.parseString(Files.readString(index)).getAsJsonObject().get("_class_name")
                    .getAsString();
            if (!cls.equals("WanPipeline")) {
                throw new WeightsException(index + " describes a " + cls + "; this engine runs WanPipeline"
                        + " (Wan 2.1 text-to-video)");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof WeightsException we) {
                throw we;
            }
            throw new WeightsException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    private static void checkCompatible(UmT5Config t5, WanTransformerConfig dit, WanVaeConfig vae) {
        if (dit.textDim() != t5.dim()) {
            throw new WeightsException("transformer text_dim " + dit.textDim() + " does not match the text encoder's"
                    + " d_model " + t5.dim());
        }
        if (dit.inChannels() != vae.zDim() || dit.outChannels() != vae.zDim()) {
            throw new WeightsException("transformer channels " + dit.inChannels() + "/" + dit.outChannels()
                    + " do not match the VAE's z_dim " + vae.zDim());
        }
    }

    private static String modelId(WanTransformerConfig config) {
        return switch (config.dim()) {
            case 1536 -> "wan2.1-t2v-1.3b";
            case 5120 -> "wan2.1-t2v-14b";
            default -> "wan2.1-t2v-custom";
        };
    }
}
