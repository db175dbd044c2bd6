package dev.wanhybrid.gateway.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An input image's format comes from its leading bytes, whatever a client declared. */
class ImageFormatTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theFormatComesFromTheMagicNumbers() {
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}))
                .contains(ImageFormat.PNG);
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(bytes("RIFF\0\0\0\0WEBPVP8 "))).contains(ImageFormat.WEBP);
        assertThat(ImageFormat.sniff(bytes("BM\0\0"))).contains(ImageFormat.BMP);
        assertThat(ImageFormat.PNG.mediaType()).isEqualTo("image/png");
        assertThat(ImageFormat.JPEG.extension()).isEqualTo("jpg");
    }

    @Test
    void anythingElseOrTooShortIsNoFormat() {
        assertThat(ImageFormat.sniff(bytes("GIF89a"))).isEmpty();
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G'})).as("too short for PNG").isEmpty();
        assertThat(ImageFormat.sniff(bytes("RIFF\0\0\0\0WAVE"))).as("a RIFF that is not WebP").isEmpty();
        assertThat(ImageFormat.sniff(new byte[0])).isEmpty();
    }
}
