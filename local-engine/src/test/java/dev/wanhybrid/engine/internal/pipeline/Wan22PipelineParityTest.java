package dev.wanhybrid.engine.internal.pipeline;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.END_TO_END;
import static dev.wanhybrid.engine.Parity.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wan 2.2 TI2V end to end against {@code golden/t2v_e2e} and {@code golden/i2v_e2e} of the official {@code WanTI2V.generate}. */
class Wan22PipelineParityTest {

    private static final int STEPS = 4;
    private static final double SHIFT = 5.0;
    private static final double GUIDE = 5.0;

    private static ComponentWeights t5w;
    private static ComponentWeights ditw;
    private static ComponentWeights vaew;
    private static Wan22Pipeline pipeline;

    @BeforeAll
    static void load() {
        Path root = Fixtures.wan22();
        t5w = ComponentWeights.open(root.resolve("text_encoder"));
        ditw = ComponentWeights.open(root.resolve("transformer"));
        vaew = ComponentWeights.open(root.resolve("vae"));
        WanTransformer dit = WanTransformer.load(WanTransformerConfig.read(root.resolve("transformer/config.json"), 16),
                ditw, DType.F32);
        pipeline = new Wan22Pipeline(null,
                UmT5Encoder.load(UmT5Config.read(root.resolve("text_encoder/config.json")), t5w, DType.F32),
                DenoiserExperts.single(dit, GUIDE),
                LatentCodec.of(Wan22Vae.load(Wan22VaeConfig.read(root.resolve("vae/config.json")), vaew, DType.F32,
                        null)),
                new Device(torch.kCPU()), true);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        t5w.close();
        ditw.close();
        vaew.close();
    }

    @Test
    void textToVideoMatchesOfficialGenerateStepByStepAndInTheDecodedVideo() throws Exception {
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "t2v_e2e")) {
            Tensor latents = run(golden, "t2v", null);
            assertClose("t2v22 final_latent", latents, golden.read("final_latent"), END_TO_END);
            assertClose("t2v22 video", pipeline.decode(latents), golden.read("video"), END_TO_END);
        }
    }

    @Test
    void imageToVideoEncodesTheImageIntoFrameZeroAndMatchesOfficialGenerate() throws Exception {
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "i2v_e2e")) {
            Tensor image = Frames.imageTensor(golden.read("image.uint8_hwc"));
            assertClose("i2v22 image tensor", image, golden.read("image.tensor"), 1e-6);
            Tensor z = pipeline.encodeImage(image);
            assertClose("i2v22 z_image", z, golden.read("z_image"), COMPONENT);
            Tensor latents = run(golden, "i2v", z);
            assertClose("i2v22 final_latent", latents, golden.read("final_latent"), END_TO_END);
            assertThat(Torch.maxAbsDiff(latents.narrow(1, 0, 1), z)).as("frame 0 is the image latent").isZero();
            assertClose("i2v22 video", pipeline.decode(latents), golden.read("video"), END_TO_END);
        }
    }

    private static Tensor run(SafetensorsFile golden, String tag, Tensor imageLatent) throws InterruptedException {
        Tensor context = pipeline.encodeTokens(Torch.toLongs(golden.read("prompt.ids")),
                Torch.toLongs(golden.read("prompt.mask")));
        Tensor contextNull = pipeline.encodeTokens(Torch.toLongs(golden.read("neg.ids")),
                Torch.toLongs(golden.read("neg.mask")));
        assertClose(tag + " context", context, golden.read("context.cond"), COMPONENT);
        assertClose(tag + " context_null", contextNull, golden.read("context.uncond"), COMPONENT);
        Tensor noise = golden.read("noise");
        long seed = tag.equals("t2v") ? 42 : 43;
        assertClose(tag + " seeded noise", WanT2vPipeline.initialNoise(seed, Torch.shape(noise)), noise, 0.0);
        List<String> checked = new ArrayList<>();
        try (FlowScheduler scheduler = FlowScheduler.create("unipc", STEPS, SHIFT)) {
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
            assertThat(checked).hasSize(STEPS);
            return latents;
        }
    }
}
