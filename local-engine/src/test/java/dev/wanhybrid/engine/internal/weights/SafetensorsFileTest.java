package dev.wanhybrid.engine.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.FixtureSets;
import dev.wanhybrid.engine.Fixtures;
import dev.wanhybrid.engine.internal.torch.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path temp;

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("dev.wanhybrid.engine.FixtureSets#wan21")
    void readsIntegerAndFloatTensorsWithTheirStoredShapes(FixtureSets.Set set) throws IOException {
        int len = set.textLength();
        int width = dev.wanhybrid.engine.internal.text.UmT5Config.read(set.resolve("text_encoder/config.json")).dim();
        try (SafetensorsFile golden = Fixtures.golden(set.root(), "t5_encoder")) {
            TensorEntry ids = golden.entries().get("input_ids");
            assertThat(ids.dtype()).isEqualTo(DType.I64);
            assertThat(ids.shape()).containsExactly(2, len);
            long[] values = Torch.toLongs(golden.read("input_ids"));
            assertThat(values).hasSize(2 * len);
            // Row 0 is a full text_len sequence ending with EOS (id 1); row 1 is padded with 0 after its EOS.
            assertThat(values[len - 1]).isEqualTo(1);
            assertThat(values[2 * len - 1]).isZero();
            Tensor hidden = golden.read("last_hidden_state");
            assertThat(Torch.shape(hidden)).containsExactly(2, len, width);
        }
    }

    @Test
    void convertsHalfPrecisionPayloadsToFloat32() throws IOException {
        // 1.5 and -2.0 in bf16 are 0x3FC0 and 0xC000; in fp16 0x3E00 and 0xC000.
        Path file = writeFile(Map.of(
                "b", new Raw("BF16", new long[] {2}, new short[] {0x3FC0, (short) 0xC000}),
                "h", new Raw("F16", new long[] {2}, new short[] {0x3E00, (short) 0xC000})));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(Torch.toFloats(st.read("b", DType.F32))).containsExactly(1.5f, -2.0f);
            assertThat(Torch.toFloats(st.read("h", DType.F32))).containsExactly(1.5f, -2.0f);
        }
    }

    @Test
    void copiesTensorsLargerThanOneChunkPiecewise() throws IOException {
        int n = 1000;
        float[] floats = new float[n];
        for (int i = 0; i < n; i++) {
            floats[i] = i * 0.5f - 7;
        }
        Path file = temp.resolve("big.safetensors");
        writeFloats(file, "big", floats);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            // 1000 floats in 38-byte chunks: many boundaries, most of them inside an element.
            float[] back = Torch.toFloats(st.read("big", 38));
            assertThat(back).containsExactly(floats);
        }
    }

    @Test
    void rejectsOffsetsThatDoNotFitTheShape() throws IOException {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        Path file = temp.resolve("bad.safetensors");
        writeRaw(file, header, new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor x");
    }

    @Test
    void reportsMissingUnexpectedAndMisshapedTensorsByName() {
        Map<String, long[]> expected = Map.of("a", new long[] {2}, "b", new long[] {3}, "c", new long[] {4});
        Map<String, TensorEntry> stored = Map.of(
                "a", new TensorEntry("a", DType.F32, new long[] {2}, 0, 8),
                "b", new TensorEntry("b", DType.F32, new long[] {5}, 8, 28),
                "z", new TensorEntry("z", DType.F32, new long[] {1}, 28, 32));
        WeightReport report = WeightReport.compare(expected, stored, name -> false);
        assertThat(report.missing()).containsExactly("c");
        assertThat(report.unexpected()).containsExactly("z");
        assertThat(report.misshaped()).containsExactly("b: expected [3] but found [5]");
        assertThat(report.describe()).contains("missing 1: c", "unexpected 1: z", "mis-shaped 1");
    }

    private record Raw(String dtype, long[] shape, short[] values) {}

    private Path writeFile(Map<String, Raw> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{");
        ByteBuffer data = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (var e : new java.util.TreeMap<>(tensors).entrySet()) {
            int begin = data.position();
            for (short v : e.getValue().values()) {
                data.putShort(v);
            }
            if (header.length() > 1) {
                header.append(',');
            }
            header.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":").append(java.util.Arrays.toString(e.getValue().shape()))
                    .append(",\"data_offsets\":[").append(begin).append(',').append(data.position()).append("]}");
        }
        header.append('}');
        byte[] payload = new byte[data.position()];
        data.flip().get(payload);
        Path file = temp.resolve("small.safetensors");
        writeRaw(file, header.toString(), payload);
        return file;
    }

    private static void writeFloats(Path file, String name, float[] values) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        String header = "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
                + values.length * 4L + "]}}";
        writeRaw(file, header, data.array());
    }

    private static void writeRaw(Path file, String header, byte[] payload) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        byte[] all = new byte[8 + h.length + payload.length];
        System.arraycopy(prefix.array(), 0, all, 0, 8);
        System.arraycopy(h, 0, all, 8, h.length);
        System.arraycopy(payload, 0, all, 8 + h.length, payload.length);
        Files.write(file, all);
    }
}
