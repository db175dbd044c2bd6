package dev.wanhybrid.engine.bench;

import dev.wanhybrid.engine.EngineOptions;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.LoraSelection;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.WanEngines;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.Wan22Vae;
import dev.wanhybrid.engine.internal.vae.Wan22VaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * CPU figures for the tiny Wan 2.2 TI2V configuration (the wan22-tiny fixtures): per stage and end to end, text-
 * and image-to-video, and a LoRA switch. Not a test: it asserts nothing, prints its table and writes it to
 * {@code docs/benchmarks/local-engine-wan22.md} (or the path given as the first argument). Run with the test
 * classpath, for example {@code java --enable-native-access=ALL-UNNAMED -cp <test classpath>
 * dev.wanhybrid.engine.bench.Wan22Benchmark}.
 */
public final class Wan22Benchmark {

    private static final int REPEATS = 5;

    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/local-engine-wan22.md");
        new Wan22Benchmark().run(out);
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Median and minimum of {@link #REPEATS} timed runs after one warm-up, in milliseconds. */
    private void time(String what, Body body) throws Exception {
        body.run();
        double[] ms = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long start = System.nanoTime();
            try (PointerScope scope = new PointerScope()) {
                body.run();
            }
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        String row = String.format(Locale.ROOT, "| %s | %.1f | %.1f |", what, ms[REPEATS / 2], ms[0]);
        System.out.println(row);
        rows.add(row);
    }

    private void run(Path out) throws Exception {
        int threads = Integer.getInteger("engine.threads", 2);
        Torch.configureThreads(threads);
        Path root = Fixtures.wan22();
        Path temp = Files.createTempDirectory("wan22-bench");
        Path folder = Fixtures.checkpointFolder(root, temp.resolve("tiny22"), "lora");
        Path lora = root.resolve("lora/pytorch_lora_weights.safetensors");
        byte[] png = Fixtures.i2vImagePng(root);
        int textLength = dev.wanhybrid.engine.FixtureSets.of(root).textLength();

        try (ComponentWeights ditw = ComponentWeights.open(root.resolve("transformer"));
                ComponentWeights vaew = ComponentWeights.open(root.resolve("vae"));
                SafetensorsFile dit = Fixtures.golden(root, "dit_forward");
                SafetensorsFile vaeGolden = Fixtures.golden(root, "vae")) {
            WanTransformerConfig config = WanTransformerConfig.read(root.resolve("transformer/config.json"), textLength);
            try (WanTransformer model = WanTransformer.load(config, ditw, DType.F32);
                    Wan22Vae vae = Wan22Vae.load(Wan22VaeConfig.read(root.resolve("vae/config.json")), vaew, DType.F32,
                            null)) {
                Tensor x = dit.read("ti2v.x").unsqueeze(0);
                Tensor context = dit.read("ti2v.context").unsqueeze(0);
                float[] t = Torch.toFloats(dit.read("ti2v.t"));
                double[][] times = {new double[t.length]};
                for (int i = 0; i < t.length; i++) {
                    times[0][i] = t[i];
                }
                time("DiT forward, " + t.length + " tokens, per-token timesteps (ti2v)", () -> model.forwardPerToken(x, times,
                        context, (n, v) -> {}));
                Tensor video = vaeGolden.read("encode.input");
                time("VAE encode, " + shape(video), () -> vae.encode(video));
                Tensor image = vaeGolden.read("encode_image.input").unsqueeze(0);
                time("VAE encode, one image " + shape(image) + " (i2v conditioning)", () -> vae.encode(image));
                Tensor latents = vaeGolden.read("decode.input");
                time("VAE decode, latents " + shape(latents), () -> vae.decode(latents));
                time("DiT load (" + ditw.entries().size() + " tensors, mmap to libtorch)", () -> WanTransformer.load(config, ditw, DType.F32)
                        .close());
            }
        }

        long loadStart = System.nanoTime();
        try (VideoEngine engine = WanEngines.load(folder, EngineOptions.cpu().withTextLength(textLength),
                Map.of("fixture", lora))) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            String loadRow = String.format(Locale.ROOT, "| engine load (WanEngines.load, whole folder, once) | %.1f | %.1f |",
                    loadMs, loadMs);
            System.out.println(loadRow);
            rows.add(loadRow);
            int[] wh = dev.wanhybrid.engine.FixtureSets.of(root).size();
            EngineRequest t2v = new EngineRequest("a lighthouse at dusk", "", wh[0], wh[1], 9, 4, 5.0, 42, "unipc");
            Path mp4 = temp.resolve("out.mp4");
            time("end to end t2v, " + wh[0] + "x" + wh[1] + ", 9 frames, 4 steps, MP4", () -> engine.generate(t2v, null, mp4));
            time("end to end i2v, " + wh[0] + "x" + wh[1] + ", 9 frames, 4 steps, MP4", () -> engine.generate(t2v.withImage(png), null, mp4));
            // Alternating requests force a transformer reload with and without the merged LoRA every time.
            EngineRequest styled = t2v.withLoras(List.of(new LoraSelection("fixture", 1.0)));
            int[] flip = {0};
            time("end to end t2v with a LoRA switch (reload + merge) before each run", () -> engine.generate(
                    flip[0]++ % 2 == 0 ? styled : t2v, null, mp4));
        }

        List<String> doc = new ArrayList<>();
        doc.add("# Local engine benchmarks: Wan 2.2 TI2V, tiny configuration (CPU)");
        doc.add("");
        doc.add("Written by `dev.wanhybrid.engine.bench.Wan22Benchmark` (local-engine test sources) at "
                + Instant.now().toString().substring(0, 19) + "Z; nothing here is asserted.");
        doc.add("");
        doc.add(String.format(Locale.ROOT, "Machine: %d available processors (shared with other sessions), libtorch"
                + " threads %d, float32, 1-minute load average at start %.2f. Model: the wan22-tiny fixture"
                + " (DiT width 64, 2 blocks, 48 latent channels, VAE widths 4/8), random weights.",
                Runtime.getRuntime().availableProcessors(), threads, loadAverage()));
        doc.add("");
        doc.add("| stage | median ms | min ms |");
        doc.add("| --- | --- | --- |");
        doc.addAll(rows);
        doc.add("");
        doc.add("Each row: one warm-up, then " + REPEATS + " timed runs. These figures show the engine's own overhead"
                + " on a tiny model; they say nothing about real 5B speed.");
        doc.add("");
        doc.add("**GPU figures for TI2V-5B at 1280x704 are not measured**: the session that wrote this had no GPU and"
                + " no 5B weights. The official figure is about 9 minutes for a 5 s 720p video on one RTX 4090; the"
                + " compute floor on an H100 at 800 TFLOP/s is about 65 s for 50 steps.");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.join("\n", doc) + "\n");
        System.out.println("written to " + out.toAbsolutePath());
    }



    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(Torch.shape(t));
    }
}
