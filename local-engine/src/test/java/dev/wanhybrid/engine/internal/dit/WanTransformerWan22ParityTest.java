package dev.wanhybrid.engine.internal.dit;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;

import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same DiT code against Wan 2.2 TI2V goldens (48 channels, one timestep per token): the groundwork the
 * Wan 2.2 engine builds on.
 */
class WanTransformerWan22ParityTest {

    private static ComponentWeights weights;
    private static WanTransformer model;

    @BeforeAll
    static void load() {
        WanTransformerConfig config = WanTransformerConfig.read(Fixtures.wan22().resolve("transformer/config.json"), 16);
        weights = ComponentWeights.open(Fixtures.wan22().resolve("transformer"));
        model = WanTransformer.load(config, weights, DType.F32);
    }

    @AfterAll
    static void close() {
        model.close();
        weights.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"t2v", "ti2v"})
    void perTokenTimestepForwardMatchesOfficialWan22Model(String name) {
        String c = name + ".";
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "dit_forward")) {
            float[] t = Torch.toFloats(golden.read(c + "t"));
            double[][] times = new double[1][t.length];
            for (int i = 0; i < t.length; i++) {
                times[0][i] = t[i];
            }
            Map<String, Tensor> probes = new HashMap<>();
            Tensor out = model.forwardPerToken(golden.read(c + "x").unsqueeze(0), times,
                    golden.read(c + "context").unsqueeze(0), (stage, value) -> probes.put(stage, value.clone()));
            long len = t.length;
            assertClose("wan22 " + c + "patch_tokens", probes.get("patch_tokens"), golden.read(c + "inter.patch_tokens"),
                    COMPONENT);
            assertClose("wan22 " + c + "e", probes.get("time_embedding").view(1, len, -1), golden.read(c + "inter.e"),
                    COMPONENT);
            assertClose("wan22 " + c + "e0", probes.get("time_projection").view(1, len, 6, -1),
                    golden.read(c + "inter.e0"), COMPONENT);
            assertClose("wan22 " + c + "context_emb", probes.get("text_embedding"), golden.read(c + "inter.context_emb"),
                    COMPONENT);
            assertClose("wan22 " + c + "block0", probes.get("blocks.0"), golden.read(c + "inter.block0"), COMPONENT);
            assertClose("wan22 " + c + "block1", probes.get("blocks.1"), golden.read(c + "inter.block1"), COMPONENT);
            assertClose("wan22 " + c + "head", probes.get("head"), golden.read(c + "inter.head"), COMPONENT);
            assertClose("wan22 " + c + "out", out.squeeze(0), golden.read(c + "out"), COMPONENT);
        }
    }

    @Test
    void oneTimestepPerRowExpandsToEveryToken() {
        try (SafetensorsFile golden = Fixtures.golden(Fixtures.wan22(), "dit_forward")) {
            Tensor out = model.forward(golden.read("t1d.x").unsqueeze(0), Torch.toLongs(golden.read("t1d.t")),
                    golden.read("t1d.context").unsqueeze(0));
            assertClose("wan22 t1d.out", out.squeeze(0), golden.read("t1d.out"), COMPONENT);
        }
    }
}
