package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.END_TO_END;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.dit.WanTransformer;
import dev.wanhybrid.engine.internal.dit.WanTransformerConfig;
import dev.wanhybrid.engine.internal.sampling.FlowScheduler;
import dev.wanhybrid.engine.internal.text.UmT5Config;
import dev.wanhybrid.engine.internal.text.UmT5Encoder;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.vae.Wan22Vae;
import dev.wanhybrid.engine.internal.vae.Wan22VaeConfig;
import dev.wanhybrid.engine.internal.video.Frames;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Wan 2.2 TI2V end to end against {@code golden/t2v_e2e} and {@code golden/i2v_e2e} of the official {@code WanTI2V.generate}. */
public class Wan22PipelineParityTest {

    static java.util.List<FixtureSets.Set> sets() {
        return FixtureSets.wan22();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void textToVideoMatchesOfficialGenerateStepByStepAndInTheDecodedVideo(FixtureSets.Set set) throws Exception {
        with(set, pipeline -> checkT2v(set, pipeline));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void imageToVideoEncodesTheImageIntoFrameZeroAndMatchesOfficialGenerate(FixtureSets.Set set) throws Exception {
        with(set, pipeline -> checkI2v(set, pipeline));
    }

    /** What runs on a loaded pipeline. */
    public interface Check {
        void run(Wan22Pipeline pipeline) throws Exception;
    }

    /** Loads the set's text encoder, DiT and VAE as one TI2V pipeline, runs {@code check}, closes them. */
    public static void with(FixtureSets.Set set, Check check) throws Exception {
        Path root = set.root();
        try (ComponentWeights t5w = ComponentWeights.open(root.resolve("text_encoder"));
                ComponentWeights ditw = ComponentWeights.open(root.resolve("transformer"));
                ComponentWeights vaew = ComponentWeights.open(root.resolve("vae"))) {
            WanTransformer dit = WanTransformer.load(WanTransformerConfig.read(root.resolve("transformer/config.json"),
                    set.textLength()), ditw, DType.F32);
            try (Wan22Pipeline pipeline = new Wan22Pipeline(null,
                    UmT5Encoder.load(UmT5Config.read(root.resolve("text_encoder/config.json")), t5w, DType.F32),
                    DenoiserExperts.single(dit, set.guideScale()),
                    LatentCodec.of(Wan22Vae.load(Wan22VaeConfig.read(root.resolve("vae/config.json")), vaew,
                            DType.F32, null)),
                    new Device(torch.kCPU()), true)) {
                check.run(pipeline);
            }
        }
    }

    public static void checkT2v(FixtureSets.Set set, Wan22Pipeline pipeline) throws Exception {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "t2v_e2e")) {
            Tensor latents = run(set, pipeline, golden, "t2v", null);
            assertClose(set + " t2v22 final_latent", latents, golden.read("final_latent"), END_TO_END);
            assertClose(set + " t2v22 video", pipeline.decode(latents), golden.read("video"), END_TO_END);
        }
    }

    public static void checkI2v(FixtureSets.Set set, Wan22Pipeline pipeline) throws Exception {
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "i2v_e2e")) {
            Tensor image = Frames.imageTensor(golden.read("image.uint8_hwc"));
            assertClose(set + " i2v22 image tensor", image, golden.read("image.tensor"), 1e-6);
            Tensor z = pipeline.encodeImage(image);
            assertClose(set + " i2v22 z_image", z, golden.read("z_image"), COMPONENT);
            Tensor latents = run(set, pipeline, golden, "i2v", z);
            assertClose(set + " i2v22 final_latent", latents, golden.read("final_latent"), END_TO_END);
            assertThat(Torch.maxAbsDiff(latents.narrow(1, 0, 1), z)).as("frame 0 is the image latent").isZero();
            assertClose(set + " i2v22 video", pipeline.decode(latents), golden.read("video"), END_TO_END);
        }
    }

    private static Tensor run(FixtureSets.Set set, Wan22Pipeline pipeline, SafetensorsFile golden, String kind,
            Tensor imageLatent) throws InterruptedException {
        String tag = set + " " + kind;
        Tensor context = pipeline.encodeTokens(Torch.toLongs(golden.read("prompt.ids")),
                Torch.toLongs(golden.read("prompt.mask")));
        Tensor contextNull = pipeline.encodeTokens(Torch.toLongs(golden.read("neg.ids")),
                Torch.toLongs(golden.read("neg.mask")));
        assertClose(tag + " context", context, golden.read("context.cond"), COMPONENT);
        assertClose(tag + " context_null", contextNull, golden.read("context.uncond"), COMPONENT);
        Tensor noise = golden.read("noise");
        long seed = set.seed(kind.equals("t2v") ? "seed_t2v" : "seed_i2v");
        assertClose(tag + " seeded noise", WanT2vPipeline.initialNoise(seed, Torch.shape(noise)), noise, 0.0);
        List<String> checked = new ArrayList<>();
        try (FlowScheduler scheduler = FlowScheduler.create("unipc", set.steps(), set.shift())) {
            Tensor latents = pipeline.denoise(noise, context, contextNull, imageLatent, scheduler,
                    (i, t, in, cond, uncond, guided, out) -> {
                        String p = "step" + i + ".";
                        assertThat(t).isEqualTo(Torch.toLongs(golden.read(p + "t"))[0]);
                        float[] tokens = Torch.toFloats(golden.read(p + "timestep_tokens"));
                        double[] ours = Wan22Pipeline.tokenTimesteps(t, in.size(1),
                                (int) (in.size(2) / 2 * (in.size(3) / 2)), imageLatent != null);
                        for (int k = 0; k < tokens.length; k++) {
                            assertThat(ours[k]).as(p + "timestep token " + k).isEqualTo(tokens[k]);
                        }
                        assertClose(tag + " " + p + "latent_in", in, golden.read(p + "latent_in"), END_TO_END);
                        assertClose(tag + " " + p + "v_cond", cond, golden.read(p + "v_cond"), END_TO_END);
                        assertClose(tag + " " + p + "v_uncond", uncond, golden.read(p + "v_uncond"), END_TO_END);
                        assertClose(tag + " " + p + "v_guided", guided, golden.read(p + "v_guided"), END_TO_END);
                        assertClose(tag + " " + p + "sched_out", out, golden.read(p + "sched_out"), END_TO_END);
                        checked.add(p);
                    });
            assertThat(checked).hasSize(set.steps());
            return latents;
        }
    }
}
