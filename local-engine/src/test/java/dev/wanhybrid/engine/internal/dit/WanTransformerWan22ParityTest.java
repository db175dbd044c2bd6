package dev.wanhybrid.engine.internal.dit;

import static dev.wanhybrid.engine.Parity.COMPONENT;
import static dev.wanhybrid.engine.Parity.assertClose;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import dev.wanhybrid.engine.internal.weights.ComponentWeights;
import dev.wanhybrid.engine.internal.weights.DType;
import dev.wanhybrid.engine.internal.weights.SafetensorsFile;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same DiT code against the Wan 2.2 TI2V goldens of every set (48 channels, one timestep per token): the
 * groundwork the Wan 2.2 engine builds on.
 */
public class WanTransformerWan22ParityTest {

    static Stream<Arguments> cases() {
        return FixtureSets.wan22().stream().flatMap(s -> Stream.of("t2v", "ti2v", "t1d").map(c -> Arguments.of(s, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void perTokenTimestepForwardMatchesOfficialWan22Model(FixtureSets.Set set, String name) {
        check(set, name);
    }

    /** One case of the set's {@code dit_forward} golden: {@code t2v}, {@code ti2v} (per-token) or {@code t1d}. */
    public static void check(FixtureSets.Set set, String name) {
        String c = name + ".";
        WanTransformerConfig config = WanTransformerConfig.read(set.resolve("transformer/config.json"),
                set.textLength());
        try (ComponentWeights weights = ComponentWeights.open(set.resolve("transformer"));
                WanTransformer model = WanTransformer.load(config, weights, DType.F32);
                SafetensorsFile golden = Fixtures.golden(set.root(), "dit_forward")) {
            String tag = set + " wan22 " + c;
            if (name.equals("t1d")) {
                // One timestep per row expands to every token.
                Tensor out = model.forward(golden.read("t1d.x").unsqueeze(0), Torch.toLongs(golden.read("t1d.t")),
                        golden.read("t1d.context").unsqueeze(0));
                assertClose(tag + "out", out.squeeze(0), golden.read("t1d.out"), COMPONENT);
                return;
            }
            float[] t = Torch.toFloats(golden.read(c + "t"));
            double[][] times = new double[1][t.length];
            for (int i = 0; i < t.length; i++) {
                times[0][i] = t[i];
            }
            Map<String, Tensor> probes = new HashMap<>();
            Tensor out = model.forwardPerToken(golden.read(c + "x").unsqueeze(0), times,
                    golden.read(c + "context").unsqueeze(0), (stage, value) -> probes.put(stage, value.clone()));
            long len = t.length;
            assertClose(tag + "patch_tokens", probes.get("patch_tokens"), golden.read(c + "inter.patch_tokens"),
                    COMPONENT);
            assertClose(tag + "e", probes.get("time_embedding").view(1, len, -1), golden.read(c + "inter.e"),
                    COMPONENT);
            assertClose(tag + "e0", probes.get("time_projection").view(1, len, 6, -1), golden.read(c + "inter.e0"),
                    COMPONENT);
            assertClose(tag + "context_emb", probes.get("text_embedding"), golden.read(c + "inter.context_emb"),
                    COMPONENT);
            for (int i = 0; i < config.layers(); i++) {
                assertClose(tag + "block" + i, probes.get("blocks." + i), golden.read(c + "inter.block" + i),
                        COMPONENT);
            }
            assertClose(tag + "head", probes.get("head"), golden.read(c + "inter.head"), COMPONENT);
            assertClose(tag + "out", out.squeeze(0), golden.read(c + "out"), COMPONENT);
        }
    }
}
