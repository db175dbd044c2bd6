package dev.wanhybrid.engine.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wanhybrid.engine.EngineException;
import dev.wanhybrid.engine.EngineInfo;
import dev.wanhybrid.engine.EngineOptions;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.lora.LoraAdapter;
import dev.wanhybrid.engine.internal.lora.LoraMergingWeights;
import dev.wanhybrid.engine.internal.pipeline.DenoiserExperts;
import dev.wanhybrid.engine.internal.pipeline.LatentCodec;
import dev.wanhybrid.engine.internal.pipeline.Wan22Pipeline;
import dev.wanhybrid.engine.internal.text.ByteTokenizer;
import dev.wanhybrid.engine.internal.text.PromptTokenizer;
import dev.wanhybrid.engine.internal.text.TextTokenizer;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.vae.Wan22Vae;
import dev.wanhybrid.engine.internal.vae.Wan22VaeConfig;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Device;

/**
 * Builds Wan 2.2 engines: TI2V-5B ({@code Wan-AI/Wan2.2-TI2V-5B-Diffusers}: the residual 48-channel VAE, one
 * DiT, text- and image-to-video) and T2V-A14B ({@code transformer/} = high-noise expert, {@code transformer_2/} =
 * low-noise expert, {@code boundary_ratio} in {@code model_index.json}, the Wan 2.1 VAE), and the tiny
 * random-weight TI2V demo.
 */
public final class Wan22Loader {

    /** Catalog id of the random-weight Wan 2.2 demo engine. */
    public static final String DEMO_MODEL_ID = "wan2.2-ti2v-demo";

    private static final long DEMO_WEIGHT_SEED = 20250728L;

    /** The official TI2V-5B defaults ({@code wan/configs/wan_ti2v_5B.py}, {@code SIZE_CONFIGS['1280*704']}). */
    private static final int TI2V_WIDTH = 1280;
    private static final int TI2V_HEIGHT = 704;
    private static final int TI2V_FRAMES = 121;
    private static final int TI2V_FPS = 24;

    /** The official T2V-A14B settings ({@code wan/configs/wan_t2v_A14B.py}). */
    private static final double A14B_SHIFT = 12.0;
    private static final double A14B_BOUNDARY_RATIO = 0.875;


    private Wan22Loader() {}

    /** Whether {@code folder} holds a Wan 2.2 checkpoint: a residual (Wan 2.2) VAE, or a second expert. */
    public static boolean isWan22(Path folder) {
        Path vae = folder.resolve("vae/config.json");
        if (Files.isRegularFile(vae) && Wan22VaeConfig.isWan22(vae)) {
            return true;
        }
        return hasSecondExpert(modelIndex(folder));
    }

    private static JsonObject modelIndex(Path folder) {
        Path index = folder.resolve("model_index.json");
        try {
            return JsonParser.parseString(Files.readString(index)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new WeightsException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasSecondExpert(JsonObject index) {
        JsonElement second = index.get("transformer_2");
        return second != null && second.isJsonArray() && !second.getAsJsonArray().get(0).isJsonNull();
    }

    /** Loads a Wan 2.2 Diffusers folder; {@code loras} maps registry names to LoRA files requests may select. */
    public static VideoEngine load(Path folder, EngineOptions options, Map<String, Path> loras, Device device)
            throws EngineException {
        JsonObject index = modelIndex(folder);
        boolean pair = hasSecondExpert(index);
        UmT5Config t5Config = UmT5Config.read(folder.resolve("text_encoder/config.json"));
        WanTransformerConfig ditConfig = WanTransformerConfig.read(folder.resolve("transformer/config.json"),
                options.textLength());
        Path vaeConfigPath = folder.resolve("vae/config.json");
        boolean residualVae = Wan22VaeConfig.isWan22(vaeConfigPath);
        int zDim = residualVae ? Wan22VaeConfig.read(vaeConfigPath).zDim() : WanVaeConfig.read(vaeConfigPath).zDim();
        if (ditConfig.inChannels() != zDim || ditConfig.outChannels() != zDim) {
            throw new WeightsException("transformer channels " + ditConfig.inChannels() + "/"
                    + ditConfig.outChannels() + " do not match the VAE's z_dim " + zDim
                    + (ditConfig.inChannels() > zDim ? " (Wan 2.2 I2V-A14B's channel-concatenated image input is"
                            + " not supported; TI2V-5B and T2V-A14B are)" : ""));
        }
        if (ditConfig.textDim() != t5Config.dim()) {
            throw new WeightsException("transformer text_dim " + ditConfig.textDim()
                    + " does not match the text encoder's d_model " + t5Config.dim());
        }
        DType dtype = DType.fromName(options.dtype());
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ComponentWeights t5w = track(open, ComponentWeights.open(folder.resolve("text_encoder")));
            ComponentWeights ditw = track(open, ComponentWeights.open(folder.resolve("transformer")));
            ComponentWeights dit2w = pair ? track(open, ComponentWeights.open(folder.resolve("transformer_2"))) : null;
            ComponentWeights vaew = track(open, ComponentWeights.open(folder.resolve("vae")));
            TextTokenizer tokenizer = track(open, PromptTokenizer.open(folder.resolve("tokenizer/tokenizer.json"),
                    options.textLength()));
            LatentCodec codec = residualVae
                    ? LatentCodec.of(Wan22Vae.load(Wan22VaeConfig.read(vaeConfigPath), vaew, DType.F32, device))
                    : LatentCodec.of(WanVae.load(WanVaeConfig.read(vaeConfigPath), vaew, DType.F32, device));
            open.add(codec);
            vaew.close();
            open.remove(vaew);
            UmT5Encoder encoder = track(open, UmT5Encoder.load(t5Config, t5w, dtype, device));
            t5w.close();
            open.remove(t5w);
            DenoiserExperts experts;
            double shift;
            EngineInfo info;
            String checkpoint = folder.toAbsolutePath().toString();
            List<String> loraNames = List.copyOf(new java.util.TreeSet<>(loras.keySet()));
            if (pair) {
                double ratio = index.has("boundary_ratio") && !index.get("boundary_ratio").isJsonNull()
                        ? index.get("boundary_ratio").getAsDouble() : A14B_BOUNDARY_RATIO;
                // One expert at a time on a GPU (each A14B expert is ~28 GB in bf16); both stay in host memory.
                boolean resident = !device.is_cuda();
                experts = DenoiserExperts.pair(expert(ditConfig, ditw, List.of(), dtype, device),
                        expert(ditConfig, dit2w, List.of(), dtype, device), Math.round(ratio * 1000), 5.0, 5.0,
                        resident);
                shift = A14B_SHIFT;
                info = new EngineInfo(options.modelId() != null ? options.modelId() : "wan2.2-t2v-a14b", checkpoint,
                        device.str().getString(), 1280, 720, 81, 16, false, loraNames);
            } else {
                experts = DenoiserExperts.single(WanTransformer.load(ditConfig, ditw, dtype, device), 5.0);
                shift = options.shift();
                String id = options.modelId() != null ? options.modelId()
                        : ditConfig.dim() == 3072 ? "wan2.2-ti2v-5b" : "wan2.2-ti2v-custom";
                info = new EngineInfo(id, checkpoint, device.str().getString(), TI2V_WIDTH, TI2V_HEIGHT, TI2V_FRAMES,
                        TI2V_FPS, true, loraNames);
            }
            open.add(experts);
            Wan22Pipeline pipeline = new Wan22Pipeline(tokenizer, encoder, experts, codec, device,
                    options.batchGuidance());
            if (options.offloadTextEncoder() && device.is_cuda()) {
                pipeline.offloadTextEncoder();
            }
            Wan22VideoEngine.ExpertReloader reloader = adapters -> experts.reload(
                    expert(ditConfig, ditw, adapters, dtype, device),
                    pair ? expert(ditConfig, dit2w, adapters, dtype, device) : null);
            // The transformer checkpoints stay mapped: a LoRA change or an expert swap reads them again.
            List<AutoCloseable> keep = new ArrayList<>();
            keep.add(ditw);
            if (dit2w != null) {
                keep.add(dit2w);
            }
            return new Wan22VideoEngine(info, pipeline, shift, Map.of(), loras, reloader, keep);
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    /**
     * A tiny random-weight Wan 2.2 TI2V model (the sizes of the wan22-tiny fixtures: DiT width 64, two blocks,
     * 48 latent channels, VAE widths 4/8) built from a fixed seed, needing no files: text- and image-to-video,
     * and LoRAs shaped for that DiT. Its videos are noise-like patterns, labelled demo output.
     */
    public static VideoEngine demo(EngineOptions options, Map<String, Path> loras, Device device) {
        int textLength = Math.min(options.textLength(), 64);
        UmT5Config t5Config = new UmT5Config(256, 32, 8, 4, 64, 2, 32, 128, 1e-6);
        WanTransformerConfig ditConfig = new WanTransformerConfig(48, 48, 64, 128, 32, 32, 4, 2,
                new int[] {1, 2, 2}, 1e-6, true, textLength);
        Wan22VaeConfig vaeConfig = new Wan22VaeConfig(4, 8, 48, new int[] {1, 2, 4, 4}, 2,
                new boolean[] {false, true, true}, 2, Wan22VaeConfig.WAN22_LATENTS_MEAN,
                Wan22VaeConfig.WAN22_LATENTS_STD);
        DType dtype = DType.fromName(options.dtype());
        WeightSource random = new RandomWeights(DEMO_WEIGHT_SEED);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            TextTokenizer tokenizer = track(open, new ByteTokenizer(t5Config.vocab(), textLength));
            UmT5Encoder encoder = track(open, UmT5Encoder.load(t5Config, random, dtype, device));
            LatentCodec codec = track(open, LatentCodec.of(Wan22Vae.load(vaeConfig, random, DType.F32, device)));
            DenoiserExperts experts = track(open,
                    DenoiserExperts.single(WanTransformer.load(ditConfig, random, dtype, device), 5.0));
            Wan22Pipeline pipeline = new Wan22Pipeline(tokenizer, encoder, experts, codec, device,
                    options.batchGuidance());
            EngineInfo info = new EngineInfo(DEMO_MODEL_ID, "demo:random-weights-seed-" + DEMO_WEIGHT_SEED,
                    device.str().getString(), 256, 160, 17, TI2V_FPS, true,
                    List.copyOf(new java.util.TreeSet<>(loras.keySet())));
            Wan22VideoEngine.ExpertReloader reloader = adapters -> experts.reload(
                    expert(ditConfig, random, adapters, dtype, device), null);
            return new Wan22VideoEngine(info, pipeline, options.shift(),
                    Map.of("comment", "demo output: random-weight Wan 2.2 model, not a trained checkpoint"), loras,
                    reloader, List.of());
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    private static Supplier<WanTransformer> expert(WanTransformerConfig config, WeightSource weights,
            List<LoraAdapter> adapters, DType dtype, Device device) {
        WeightSource source = adapters.isEmpty() ? weights : new LoraMergingWeights(weights, adapters);
        return () -> WanTransformer.load(config, source, dtype, device);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // Already failing; the original exception is the one to report.
            }
        }
    }
}
