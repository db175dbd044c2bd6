package dev.wanhybrid.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.video.FfmpegTools;
import dev.wanhybrid.engine.internal.video.Mp4Writer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoStillsTest {

    private static final int WIDTH = 832 / 4;
    private static final int HEIGHT = 480 / 4;
    private static final int FRAMES = 81;

    @TempDir
    Path temp;

    Path video;

    /** A Wan-shaped clip (81 frames, 16 fps, 832x480 scaled down) whose frames get brighter one by one. */
    @BeforeEach
    void writeVideo() throws Exception {
        // FFmpeg's programs link system libraries a minimal machine may lack; .ci/run installs them.
        Optional<String> problem = FfmpegTools.unavailable();
        Assumptions.assumeTrue(problem.isEmpty(), () -> "FFmpeg's programs do not run here, so the stills are not "
                + "checked: " + problem.orElse("") + ". Install with: " + FfmpegTools.INSTALL);
        video = temp.resolve("ramp.mp4");
        try (Mp4Writer writer = Mp4Writer.open(video, WIDTH, HEIGHT, 16)) {
            for (int f = 0; f < FRAMES; f++) {
                byte[] rgb = new byte[WIDTH * HEIGHT * 3];
                java.util.Arrays.fill(rgb, (byte) (f * 3));
                writer.writeRgb(rgb);
            }
        }
    }

    @Test
    void theThumbnailIsAWebpStillAtTheVideosSize() throws Exception {
        Path webp = temp.resolve("thumb.webp");
        VideoStills.thumbnail(video, webp);
        assertThat(new String(Files.readAllBytes(webp), 8, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("WEBP");
        assertThat(VideoStills.probe(webp)).isEqualTo(new VideoStills.Probe("webp", WIDTH, HEIGHT, 1));
    }

    @Test
    void theSpritesheetIsAJpegGridOfTwentyFiveEvenlySpacedFramesFromFirstToLast() throws Exception {
        Path jpeg = temp.resolve("sprites.jpg");
        VideoStills.Grid grid = VideoStills.spritesheet(video, jpeg);
        assertThat(grid).isEqualTo(new VideoStills.Grid(5, 5));
        // FFmpeg keeps the aspect ratio and rounds to the nearest even height: 120 * 256 / 208 = 147.7 -> 148.
        int tileHeight = 148;
        assertThat(VideoStills.probe(jpeg)).isEqualTo(new VideoStills.Probe("mjpeg", 5 * 256, 5 * tileHeight, 1));
        BufferedImage sheet = ImageIO.read(jpeg.toFile());
        // Tile i shows frame round(i * 80 / 24), whose grey level is 3 * that frame.
        for (int i : new int[] {0, 7, 24}) {
            int x = (i % 5) * 256 + 128;
            int y = (i / 5) * tileHeight + tileHeight / 2;
            int expected = 3 * (int) Math.round(i * 80.0 / 24);
            assertThat(sheet.getRGB(x, y) & 0xff).as("tile %d", i).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(6));
        }
    }

    @Test
    void theLastFrameIsTheVideosFinalFrameLosslessly() throws Exception {
        Path png = temp.resolve("last.png");
        VideoStills.lastFrame(video, png);
        BufferedImage last = ImageIO.read(png.toFile());
        assertThat(last.getWidth()).isEqualTo(WIDTH);
        assertThat(last.getHeight()).isEqualTo(HEIGHT);
        assertThat(last.getRGB(WIDTH / 2, HEIGHT / 2) & 0xff).isCloseTo(3 * (FRAMES - 1),
                org.assertj.core.data.Offset.offset(6));
    }

    @Test
    void aFileThatIsNoVideoIsRefusedWithFfmpegsReason() throws Exception {
        Path junk = temp.resolve("junk.mp4");
        Files.writeString(junk, "not a video at all");
        assertThatThrownBy(() -> VideoStills.thumbnail(junk, temp.resolve("t.webp")))
                .isInstanceOf(IOException.class).hasMessageContaining("ffmpeg exited");
    }

    @Test
    void aClipReportsItsContainerAndItsLengthAndAFileThatIsNoVideoIsRefused() throws Exception {
        VideoStills.Clip clip = VideoStills.clip(video);
        assertThat(java.util.Arrays.asList(clip.format().split(","))).contains("mp4");
        // 81 frames at 16 fps.
        assertThat(clip.seconds()).isCloseTo(81 / 16.0, org.assertj.core.data.Offset.offset(0.1));
        Path junk = temp.resolve("junk.mp4");
        Files.writeString(junk, "not a video at all");
        assertThatThrownBy(() -> VideoStills.clip(junk)).isInstanceOf(IOException.class);
    }
}
