package dev.wanhybrid.engine.devicecheck;

import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipeline;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Numerics;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.WanVae;
import dev.wanhybrid.engine.internal.vae.WanVaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.RandomWeights;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * Measures the engine on one device at real model dimensions, with random weights: the numerics self-check, the
 * shared tiny fixtures against their float32 goldens, then the real Wan 2.1 1.3B transformer, umT5-XXL and the
 * Wan VAE at the requested sizes (seconds per guided step, VAE decode time, peak device memory) and which
 * scaled-dot-product-attention kernel is fastest at the job's shape. Prints a line per figure and writes them all
 * as JSON. This is the program the GPU staging (local-engine/gpu) ships and runs; on a CPU it runs the same code
 * at whatever sizes it is given.
 *
 * <pre>
 * DeviceCheck --device cuda:0 --dtype bf16 --sizes 832x480x17,832x480x81 --steps 3 --fixtures DIR --out FILE
 * </pre>
 */
public final class DeviceCheck {

    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Device device;
    private final DType dtype;

    private DeviceCheck(Device device, DType dtype) {
        this.device = device;
        this.dtype = dtype;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        Torch.configureThreads(Integer.parseInt(a.getOrDefault("threads", "0")));
        String deviceName = a.getOrDefault("device", "cpu");
        Device device = deviceName.startsWith("cuda") ? new Device(deviceName) : new Device(torch.kCPU());
        DeviceCheck check = new DeviceCheck(device, DType.fromName(a.getOrDefault("dtype", "fp32")));
        Path out = Path.of(a.getOrDefault("out", "device-check.json"));
        try {
            check.run(a);
        } finally {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(check.results));
            System.out.println("results written to " + out);
        }
    }

    private void run(Map<String, String> a) throws Exception {
        environment();
        Numerics.Report numerics = Numerics.check(device, Numerics.defaultTolerance(device));
        put("numerics", numerics.summary());
        if (a.containsKey("fixtures")) {
            tinyFixtures(Path.of(a.get("fixtures")));
        }
        int steps = Integer.parseInt(a.getOrDefault("steps", "3"));
        List<int[]> sizes = new ArrayList<>();
        for (String size : a.getOrDefault("sizes", "").split(",")) {
            if (!size.isBlank()) {
                String[] p = size.split("x");
                sizes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
            }
        }
        if (!sizes.isEmpty()) {
            realDimensions(a.getOrDefault("model", "wan2.1-1.3b"), sizes, steps,
                    Integer.parseInt(a.getOrDefault("text-length", "512")));
        }
    }

    private void environment() {
        put("device", device.str().getString());
        put("dtype", dtype.name());
        put("cuda_available", torch.cuda_is_available());
        put("cudnn_version", torch.cuda_is_available() ? org.bytedeco.pytorch.Context.versionCuDNN() : 0);
        put("onednn_enabled", Numerics.oneDnnEnabled());
        String config = torch.show_config().getString();
        put("libtorch_config", config.lines().limit(12).toList());
    }

    /** The shared tiny Wan 2.1 fixtures on this device, in float32, against the official float32 goldens. */
    private void tinyFixtures(Path root) {
        WanTransformerConfig config = WanTransformerConfig.read(root.resolve("transformer/config.json"),
                textLength(root));
        try (ComponentWeights weights = ComponentWeights.open(root.resolve("transformer"));
                WanTransformer model = WanTransformer.load(config, weights, DType.F32, cudaOrNull());
                SafetensorsFile golden = SafetensorsFile.open(root.resolve("golden/dit_forward.safetensors"));
                PointerScope scope = new PointerScope()) {
            Tensor out = model.forward(golden.read("case0.x").unsqueeze(0).to(device, ScalarType.Float),
                    Torch.toLongs(golden.read("case0.t")),
                    golden.read("case0.context").unsqueeze(0).to(device, ScalarType.Float));
            put("tiny_dit_fp32_max_abs_diff", Torch.maxAbsDiff(out.squeeze(0).cpu(), golden.read("case0.out")));
        } catch (IOException e) {
            put("tiny_dit_error", e.toString());
        }
        try (ComponentWeights weights = ComponentWeights.open(root.resolve("vae"));
                WanVae vae = WanVae.load(WanVaeConfig.read(root.resolve("vae/config.json")), weights, DType.F32,
                        cudaOrNull());
                SafetensorsFile golden = SafetensorsFile.open(root.resolve("golden/vae_decode.safetensors"));
                PointerScope scope = new PointerScope()) {
            Tensor video = vae.decode(golden.read("latents").unsqueeze(0).to(device, ScalarType.Float));
            put("tiny_vae_decode_fp32_max_abs_diff", Torch.maxAbsDiff(video.squeeze(0), golden.read("video")));
        } catch (IOException e) {
            put("tiny_vae_error", e.toString());
        }
    }

    /** The text length the fixture set was made with ({@code config.pipeline.text_len} of its manifest). */
    private static int textLength(Path root) {
        try {
            return com.google.gson.JsonParser.parseString(Files.readString(root.resolve("manifest.json")))
                    .getAsJsonObject().getAsJsonObject("config").getAsJsonObject("pipeline").get("text_len").getAsInt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void realDimensions(String model, List<int[]> sizes, int steps, int textLength) throws Exception {
        WanTransformerConfig ditConfig;
        UmT5Config t5Config;
        WanVaeConfig vaeConfig;
        switch (model) {
            case "wan2.1-1.3b" -> {
                ditConfig = new WanTransformerConfig(16, 16, 1536, 8960, 256, 4096, 12, 30, new int[] {1, 2, 2}, 1e-6,
                        true, textLength);
                t5Config = new UmT5Config(256384, 4096, 64, 64, 10240, 24, 32, 128, 1e-6);
                vaeConfig = WanVaeConfig.wan21();
            }
            case "tiny" -> {
                // The demo engine's sizes: proves the program (and a staged bundle) end to end in seconds.
                ditConfig = new WanTransformerConfig(16, 16, 64, 128, 32, 32, 4, 2, new int[] {1, 2, 2}, 1e-6, true,
                        textLength);
                t5Config = new UmT5Config(256, 32, 8, 4, 64, 2, 32, 128, 1e-6);
                vaeConfig = new WanVaeConfig(8, 16, new int[] {1, 2, 4, 4}, 2, new boolean[] {false, true, true},
                        WanVaeConfig.WAN21_LATENTS_MEAN, WanVaeConfig.WAN21_LATENTS_STD);
            }
            default -> throw new IllegalArgumentException("model must be wan2.1-1.3b or tiny, was " + model);
        }
        put("model", model);
        // The text encoder first, alone: encode, then free it (the engine's offload pattern), so the denoising
        // figures below are the DiT's and the VAE's; the encoder's own weight size is reported beside them.
        long t0 = System.nanoTime();
        UmT5Encoder t5 = UmT5Encoder.load(t5Config, new RandomWeights(2), dtype, cudaOrNull());
        sync();
        put("text_encoder_build_s", seconds(t0));
        put("text_encoder_weights_gib", allocatedGib());
        long[] ids = new long[textLength];
        long[] mask = new long[textLength];
        int real = Math.min(41, textLength);
        for (int i = 0; i < real; i++) {
            ids[i] = i == real - 1 ? 1 : (1000 + 37L * i) % t5Config.vocab();
            mask[i] = 1;
        }
        Tensor context;
        try {
            Torch.drop(Torch.inScope(() -> encode(t5, ids, mask, real)));
            sync();
            long te = System.nanoTime();
            context = Torch.inScope(() -> encode(t5, ids, mask, real));
            sync();
            put("text_encode_s", seconds(te));
        } finally {
            t5.close();
        }
        long t1 = System.nanoTime();
        WanTransformer dit = WanTransformer.load(ditConfig, new RandomWeights(1), dtype, cudaOrNull());
        WanVae vae = WanVae.load(vaeConfig, new RandomWeights(3), DType.F32, cudaOrNull());
        sync();
        put("dit_vae_build_s", seconds(t1));
        put("dit_vae_weights_gib", allocatedGib());
        try (WanT2vPipeline pipeline = new WanT2vPipeline(null, t5, dit, vae, device, true)) {
            for (int[] size : sizes) {
                oneSize(pipeline, context, size[0], size[1], size[2], steps);
            }
        } finally {
            Torch.drop(context);
        }
    }

    /** The prompt context {@code [real, dim]}, as the pipeline trims it. */
    private Tensor encode(UmT5Encoder t5, long[] ids, long[] mask, int real) {
        Tensor idsT = Torch.fromLongs(ids, 1, ids.length).to(device, ScalarType.Long);
        Tensor maskT = Torch.fromLongs(mask, 1, mask.length).to(device, ScalarType.Long);
        return t5.encode(idsT, maskT).select(0, 0).narrow(0, 0, real);
    }

    private void oneSize(WanT2vPipeline pipeline, Tensor context, int width, int height, int frames, int steps)
            throws InterruptedException {
        String key = width + "x" + height + "x" + frames;
        long latentFrames = (frames - 1) / 4 + 1;
        long tokens = latentFrames * (height / 16) * (width / 16);
        put(key + ".tokens", tokens);
        attentionBackends(key, tokens);
        resetPeak();
        List<Double> stepSeconds = new ArrayList<>();
        Tensor latents;
        try (PointerScope scope = new PointerScope();
                FlowScheduler scheduler = FlowScheduler.create("unipc", steps + 1, 5.0)) {
            Tensor noise = WanT2vPipeline.initialNoise(42, 16, latentFrames, height / 8, width / 8);
            long[] last = {System.nanoTime()};
            // One more step than measured: the first includes kernel selection and allocator growth.
            latents = Torch.keep(pipeline.denoise(noise, context, context, scheduler, 5.0,
                    (i, t, in, cond, uncond, guided, out) -> {
                        sync();
                        long now = System.nanoTime();
                        stepSeconds.add((now - last[0]) / 1e9);
                        last[0] = now;
                    }));
        }
        put(key + ".first_step_s", stepSeconds.get(0));
        double sum = 0;
        for (int i = 1; i < stepSeconds.size(); i++) {
            sum += stepSeconds.get(i);
        }
        put(key + ".step_s", sum / Math.max(1, stepSeconds.size() - 1));
        put(key + ".denoise_peak_gib", peakGib());
        resetPeak();
        long td = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            Tensor video = pipeline.decode(latents);
            put(key + ".video_shape", java.util.Arrays.toString(Torch.shape(video)));
        }
        sync();
        put(key + ".vae_decode_s", seconds(td));
        put(key + ".vae_decode_peak_gib", peakGib());
        Torch.drop(latents);
    }

    /**
     * Times guided-batch attention at the job's shape with each SDPA backend alone, and with libtorch's own choice;
     * the backend whose time the default matches is the one it selected.
     */
    private void attentionBackends(String key, long tokens) {
        if (!device.is_cuda()) {
            put(key + ".attention", "cpu (libtorch's CPU flash kernel or math)");
            return;
        }
        var ctx = torch.globalContext();
        Map<String, Double> times = new LinkedHashMap<>();
        String[] names = {"default", "flash", "efficient", "cudnn"};
        for (String name : names) {
            ctx.setSDPUseFlash(name.equals("default") || name.equals("flash"));
            ctx.setSDPUseMemEfficient(name.equals("default") || name.equals("efficient"));
            ctx.setSDPUseCuDNN(name.equals("default") || name.equals("cudnn"));
            ctx.setSDPUseMath(name.equals("default"));
            try (PointerScope scope = new PointerScope()) {
                Tensor q = torch.randn(new long[] {2, 12, tokens, 128},
                        new org.bytedeco.pytorch.TensorOptions(device).dtype(
                                new org.bytedeco.pytorch.ScalarTypeOptional(dtype.torchType())));
                torch.scaled_dot_product_attention(q, q, q);
                sync();
                long t = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    torch.scaled_dot_product_attention(q, q, q);
                }
                sync();
                times.put(name, (System.nanoTime() - t) / 3e9);
            } catch (RuntimeException e) {
                times.put(name, Double.NaN);
            }
        }
        ctx.setSDPUseFlash(true);
        ctx.setSDPUseMemEfficient(true);
        ctx.setSDPUseCuDNN(true);
        ctx.setSDPUseMath(true);
        String selected = "unknown";
        double best = Double.MAX_VALUE;
        for (String name : List.of("flash", "efficient", "cudnn")) {
            double d = Math.abs(times.get(name) - times.get("default"));
            if (!Double.isNaN(d) && d < best) {
                best = d;
                selected = name;
            }
        }
        put(key + ".attention_s", times);
        put(key + ".attention_selected", selected);
    }

    private Device cudaOrNull() {
        return device.is_cuda() ? device : null;
    }

    private void sync() {
        if (device.is_cuda()) {
            torch.cuda_synchronize();
        }
    }

    private void resetPeak() {
        if (device.is_cuda()) {
            torch_cuda.getAllocator().resetPeakStats(device.index());
        }
    }

    private double peakGib() {
        if (!device.is_cuda()) {
            return residentPeakGib();
        }
        return torch_cuda.getAllocator().getDeviceStats(device.index()).allocated_bytes().peak() / (double) (1L << 30);
    }

    private double allocatedGib() {
        if (!device.is_cuda()) {
            return residentPeakGib();
        }
        return torch_cuda.getAllocator().getDeviceStats(device.index()).allocated_bytes().current()
                / (double) (1L << 30);
    }

    private static double residentPeakGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / (double) (1L << 20);
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void put(String key, Object value) {
        results.put(key, value);
        System.out.println(key + " = " + (value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : value));
    }

    private static Map<String, String> arguments(String[] args) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            map.put(args[i].substring(2), args[++i]);
        }
        return map;
    }
}
