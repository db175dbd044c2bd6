package dev.wanhybrid.engine.internal.dit;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DiT against {@code golden/dit_forward} of every Wan 2.1 golden set (two cases each, every stage). */
public class WanTransformerParityTest {

    static Stream<Arguments> cases() {
        return FixtureSets.wan21().stream().flatMap(s -> Stream.of(Arguments.of(s, 0), Arguments.of(s, 1)));
    }

    @ParameterizedTest(name = "{0} case{1}")
    @MethodSource("cases")
    void forwardMatchesOfficialWanModelAtEveryStage(FixtureSets.Set set, int index) {
        check(set, index);
    }

    /** Runs case {@code index} of the set's DiT golden through the engine's transformer; fails on any stage. */
    public static void check(FixtureSets.Set set, int index) {
        String c = "case" + index + ".";
        WanTransformerConfig config = WanTransformerConfig.read(set.resolve("transformer/config.json"),
                set.textLength());
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("transformer"));
                WanTransformer model = WanTransformer.load(config, weights, DType.F32);
                SafetensorsFile golden = Fixtures.golden(set.root(), "dit_forward")) {
            Map<String, Tensor> probes = new HashMap<>();
            long[] t = Torch.toLongs(golden.read(c + "t"));
            Tensor out = model.forward(golden.read(c + "x").unsqueeze(0), t, golden.read(c + "context").unsqueeze(0),
                    (name, value) -> probes.put(name, value.clone()));

            List<String> stages = new ArrayList<>(List.of("time_sinusoid", "time_embedding", "time_projection",
                    "text_embedding", "patch_embedding"));
            for (int i = 0; i < config.layers(); i++) {
                stages.add("blocks." + i);
            }
            stages.add("head");
            for (String stage : stages) {
                assertClose(set + " dit " + c + stage, probes.get(stage), golden.read(c + "dbg." + stage), COMPONENT);
            }
            assertClose(set + " dit " + c + "out", out.squeeze(0), golden.read(c + "out"), COMPONENT);
        }
    }
}
