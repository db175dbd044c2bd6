package dev.wanhybrid.engine.internal.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {

    @TempDir
    Path temp;

    @Test
    void writesAnH264Mp4ThatFfmpegDecodesFrameForFrame() throws Exception {
        Path file = temp.resolve("ramp.mp4");
        int width = 96;
        int height = 64;
        String encoder;
        try (Mp4Writer writer = Mp4Writer.open(file, width, height, 16)) {
            encoder = writer.encoder();
            for (int f = 0; f < 9; f++) {
                byte[] rgb = new byte[width * height * 3];
                for (int i = 0; i < width * height; i++) {
                    rgb[3 * i] = (byte) (i % width * 2 + f * 10);
                    rgb[3 * i + 1] = (byte) (i / width * 3);
                    rgb[3 * i + 2] = (byte) (f * 25);
                }
                writer.writeRgb(rgb);
            }
        }
        System.out.println("mp4 encoder: " + encoder);
        assertThat(Files.size(file)).isPositive();
        Mp4Probe probe = Mp4Probe.read(file);
        assertThat(probe.frames()).isEqualTo(9);
        assertThat(probe.width()).isEqualTo(width);
        assertThat(probe.height()).isEqualTo(height);
        assertThat(probe.fps()).isEqualTo(16.0);
        assertThat(probe.codec()).isEqualTo(encoder.equals("mpeg4") ? "mpeg4" : "h264");
    }
}
