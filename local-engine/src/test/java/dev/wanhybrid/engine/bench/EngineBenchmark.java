package dev.wanhybrid.engine.bench;

import dev.wanhybrid.engine.EngineOptions;
import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.ProgressListener;
import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.WanEngines;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.pipeline.WanT2vPipeline;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.WanVae;
import dev.wanhybrid.engine.internal.vae.WanVaeConfig;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU figures for the tiny Wan configuration, per stage and end to end, plus native-memory behaviour over
 * repeated jobs. Not a test: it asserts nothing, prints its table and writes it to
 * {@code docs/benchmarks/local-engine.md} (or the path given as the first argument).
 */
public final class EngineBenchmark {

    /** The heading of the next section of the file (real dimensions, written by hand from DeviceCheck runs). */
    private static final String NEXT_SECTION = "\n## ";

    private final List<String> rows = new ArrayList<>();
    private int textLength;
    private int latentChannels;
    private String model;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/local-engine.md");
        new EngineBenchmark().run(out);
    }

    private void run(Path out) throws Exception {
        int threads = Integer.getInteger("engine.threads", 2);
        Torch.configureThreads(threads);
        Path root = Fixtures.wan21();
        textLength = dev.wanhybrid.engine.FixtureSets.of(root).textLength();
        String load = String.format(Locale.ROOT, "%.2f", loadAverage());
        try (ComponentWeights t5w = ComponentWeights.open(root.resolve("text_encoder"));
                ComponentWeights ditw = ComponentWeights.open(root.resolve("transformer"));
                ComponentWeights vaew = ComponentWeights.open(root.resolve("vae"))) {
            UmT5Config t5Config = UmT5Config.read(root.resolve("text_encoder/config.json"));
            WanTransformerConfig ditConfig = WanTransformerConfig.read(root.resolve("transformer/config.json"),
                    textLength);
            WanVaeConfig vaeConfig = WanVaeConfig.read(root.resolve("vae/config.json"));
            model = String.format(Locale.ROOT, "the `%s` fixture (DiT dim %d, %d layers, %d heads; umT5 dim %d, %d"
                    + " layers; VAE base %d), text length %d", root.getFileName(), ditConfig.dim(), ditConfig.layers(),
                    ditConfig.heads(), t5Config.dim(), t5Config.layers(), vaeConfig.baseDim(), textLength);
            latentChannels = vaeConfig.zDim();
            UmT5Encoder t5 = UmT5Encoder.load(t5Config, t5w, DType.F32);
            WanTransformer dit = WanTransformer.load(ditConfig, ditw, DType.F32);
            WanVae vae = WanVae.load(vaeConfig, vaew, DType.F32);
            try (WanT2vPipeline pipeline = new WanT2vPipeline(null, t5, dit, vae, new Device(torch.kCPU()), true)) {
                long[] ids = new long[textLength];
                long[] mask = new long[textLength];
                int words = Math.min(11, textLength - 1);
                for (int i = 0; i < words; i++) {
                    ids[i] = 3 + i;
                    mask[i] = 1;
                }
                ids[words] = 1; // end of sequence
                mask[words] = 1;
                stage("umT5 encode, " + textLength + " tokens", 20, () -> pipeline.encodeTokens(ids, mask));
                Tensor context = Torch.keep(pipeline.encodeTokens(ids, mask));
                for (int[] size : new int[][] {{96, 64, 9}, {256, 160, 17}}) {
                    benchmarkSize(pipeline, context, size[0], size[1], size[2]);
                }
                Torch.drop(context);
            }
        }
        memoryOverJobs(threads);
        write(out, threads, load);
    }

    private void benchmarkSize(WanT2vPipeline pipeline, Tensor context, int width, int height, int frames)
            throws InterruptedException {
        long f = (frames - 1) / 4 + 1;
        long h = height / 8;
        long w = width / 8;
        long tokens = f * (h / 2) * (w / 2);
        String label = width + "x" + height + "x" + frames + " (" + tokens + " tokens)";
        Tensor noise = Torch.keep(WanT2vPipeline.initialNoise(1, latentChannels, f, h, w));
        boolean big = tokens > 5000;
        stage("DiT forward, CFG batch of 2, " + label, big ? 1 : 5, () -> pipeline.transformer()
                .forward(Torch.cat(0, noise.unsqueeze(0), noise.unsqueeze(0)), new long[] {999, 999},
                        Torch.cat(0, Torch.pad(context, 0, 0, 0, textLength - context.size(0)).unsqueeze(0),
                                Torch.pad(context, 0, 0, 0, textLength - context.size(0)).unsqueeze(0))));
        stage("UniPC scheduler, 5 steps, " + label, 5, () -> {
            try (FlowScheduler s = FlowScheduler.create("unipc", 5, 5.0)) {
                Tensor x = noise;
                for (int i = 0; i < 5; i++) {
                    x = s.step(noise, x);
                }
                return x;
            }
        });
        if (!big) {
            stage("VAE decode, " + label, 2, () -> pipeline.vae().decode(noise.unsqueeze(0)));
            for (int steps : new int[] {5, 50}) {
                stage("end to end (T5 x2, " + steps + " steps CFG, VAE), " + label, 1, false, () -> {
                    Tensor ctx = pipeline.encodeTokens(new long[] {5, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                            new long[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
                    try (FlowScheduler s = FlowScheduler.create("unipc", steps, 5.0)) {
                        Tensor latents = pipeline.denoise(noise, ctx, ctx, s, 5.0, (i, t, a, b, c, d, e) -> {});
                        return pipeline.decode(latents);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } else {
            rows.add("| VAE decode and end to end, " + label + " | not run | | | too slow for a shared 2-core"
                    + " CPU; the DiT row above times one step |");
        }
        Torch.drop(noise);
    }

    private interface Stage {
        Tensor run() throws InterruptedException;
    }

    private void stage(String name, int repeats, Stage stage) throws InterruptedException {
        stage(name, repeats, true, stage);
    }

    private void stage(String name, int repeats, boolean warmUp, Stage stage) throws InterruptedException {
        if (warmUp) {
            try (PointerScope warm = new PointerScope()) {
                stage.run();
            }
        }
        double[] seconds = new double[repeats];
        double[] cpu = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            try (PointerScope scope = new PointerScope()) {
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                stage.run();
                seconds[i] = (System.nanoTime() - start) / 1e9;
                cpu[i] = (processCpuNanos() - cpuStart) / 1e9;
            }
        }
        Arrays.sort(seconds);
        double median = seconds[repeats / 2];
        String row = String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d run%s%s |", name, median, seconds[0],
                median(cpu), repeats, repeats == 1 ? "" : "s", warmUp ? " after one warm-up" : "");
        System.out.println(row);
        rows.add(row);
    }

    /** Resident memory across repeated demo jobs: native tensors must be freed every step and every job. */
    private void memoryOverJobs(int threads) throws Exception {
        int jobs = Integer.getInteger("bench.jobs", 100);
        Path dir = Files.createTempDirectory("engine-bench");
        long[] rss = new long[jobs];
        double[] seconds = new double[jobs];
        try (VideoEngine demo = WanEngines.demo(EngineOptions.cpu().withThreads(threads))) {
            for (int i = 0; i < jobs; i++) {
                Path file = dir.resolve("job.mp4");
                long start = System.nanoTime();
                demo.generate(new EngineRequest("memory check " + i, null, 64, 48, 5, 4, 5.0, i, "unipc"),
                        ProgressListener.NONE, file);
                seconds[i] = (System.nanoTime() - start) / 1e9;
                Files.deleteIfExists(file);
                rss[i] = residentKb();
            }
        }
        Files.deleteIfExists(dir);
        int tenth = Math.max(1, jobs / 10);
        String row = String.format(Locale.ROOT,
                "| demo jobs 64x48x5, 4 steps: %d jobs | %.3f | %.3f | | resident memory after job %d: %d MiB, after job %d:"
                        + " %d MiB, after job %d: %d MiB |",
                jobs, median(seconds), Arrays.stream(seconds).min().orElse(0), tenth, rss[tenth - 1] / 1024, jobs / 2,
                rss[jobs / 2 - 1] / 1024, jobs, rss[jobs - 1] / 1024);
        System.out.println(row);
        rows.add(row);
    }

    /** CPU time of the whole process: robust against the waiting a shared machine adds to wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private void write(Path out, int threads, String load) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# Local engine benchmarks (CPU, tiny Wan 2.1 configuration)\n\n");
        text.append("Generated by `EngineBenchmark` on ").append(Instant.now()).append(": libtorch ")
                .append("2.10 (JavaCPP 1.5.13) on CPU, ").append(threads).append(" intra-op threads, float32, ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores visible, load average ")
                .append(load).append(" at start (the machine is shared, so figures are noisy upper bounds).\n\n");
        text.append("Model: ").append(model).append(".\n\n");
        text.append("Wall seconds per call (median and best), and the process CPU seconds the median call used"
                + " (all threads; less sensitive to other load on the machine than wall time).\n\n");
        text.append("| stage | median wall s | best wall s | CPU s | notes |\n| --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> text.append(r).append('\n'));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text.append(sectionsAfterOurs(out)));
        System.out.println("wrote " + out.toAbsolutePath().normalize());
    }

    /** What follows this benchmark's own section in {@code out} (other figures), kept when the file is rewritten. */
    private static String sectionsAfterOurs(Path out) throws IOException {
        if (!Files.exists(out)) {
            return "";
        }
        String existing = Files.readString(out);
        int next = existing.indexOf(NEXT_SECTION);
        return next < 0 ? "" : existing.substring(next);
    }
}
