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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WanTransformerParityTest {

    private static ComponentWeights weights;
    private static WanTransformer model;

    @BeforeAll
    static void load() {
        WanTransformerConfig config = WanTransformerConfig.read(Fixtures.wan21().resolve("transformer/config.json"), 16);
        weights = ComponentWeights.open(Fixtures.wan21().resolve("transformer"));
        model = WanTransformer.load(config, weights, DType.F32);
    }

    @AfterAll
    static void close() {
        model.close();
        weights.close();
    }

    @ParameterizedTest(name = "case{0}")
    @ValueSource(ints = {0, 1})
    void forwardMatchesOfficialWanModelAtEveryStage(int index) {
        String c = "case" + index + ".";
        try (SafetensorsFile golden = Fixtures.golden("dit_forward")) {
            Map<String, Tensor> probes = new HashMap<>();
            long[] t = Torch.toLongs(golden.read(c + "t"));
            Tensor out = model.forward(golden.read(c + "x").unsqueeze(0), t, golden.read(c + "context").unsqueeze(0),
                    (name, value) -> probes.put(name, value.clone()));

            for (String stage : new String[] {"time_sinusoid", "time_embedding", "time_projection", "text_embedding",
                    "patch_embedding", "blocks.0", "blocks.1", "head"}) {
                assertClose("dit " + c + stage, probes.get(stage), golden.read(c + "dbg." + stage), COMPONENT);
            }
            assertClose("dit " + c + "out", out.squeeze(0), golden.read(c + "out"), COMPONENT);
        }
    }
}
