package dev.wanhybrid.gateway.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * An input image's format comes from its leading bytes, whatever a client declared; that it is an image at all
 * comes from its whole structure.
 */
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

    private static byte[] written(String format, int width, int height, int type) throws Exception {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int x = 0; x < width; x++) {
            image.setRGB(x, x % height, 0xff8040);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    @Test
    void realImagesAreInspectedWithTheirSize() throws Exception {
        assertThat(ImageFormat.inspect(written("png", 97, 31, BufferedImage.TYPE_INT_ARGB)))
                .contains(new ImageFormat.Image(ImageFormat.PNG, 97, 31));
        assertThat(ImageFormat.inspect(written("png", 5, 300, BufferedImage.TYPE_BYTE_GRAY)))
                .contains(new ImageFormat.Image(ImageFormat.PNG, 5, 300));
        assertThat(ImageFormat.inspect(written("jpeg", 640, 360, BufferedImage.TYPE_INT_RGB)))
                .contains(new ImageFormat.Image(ImageFormat.JPEG, 640, 360));
        assertThat(ImageFormat.inspect(written("bmp", 33, 17, BufferedImage.TYPE_INT_RGB)))
                .contains(new ImageFormat.Image(ImageFormat.BMP, 33, 17));
        assertThat(ImageFormat.inspect(losslessWebp(300, 200))).contains(new ImageFormat.Image(ImageFormat.WEBP, 300, 200));
    }

    @Test
    void aSignatureFollowedByAnythingElseIsNoImage() throws Exception {
        byte[] zeros = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, zeros, 0, 8);
        assertThat(ImageFormat.sniff(zeros)).as("the sniffer is fooled").contains(ImageFormat.PNG);
        assertThat(ImageFormat.inspect(zeros)).as("the inspection is not").isEmpty();
        assertThat(ImageFormat.inspect(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 0, 0})).isEmpty();
        assertThat(ImageFormat.inspect(bytes("RIFF\u0004\0\0\0WEBPVP8 "))).isEmpty();
        assertThat(ImageFormat.inspect(bytes("BM\0\0\0\0\0\0\0\0\0\0\0\0"))).isEmpty();
    }

    @Test
    void aTruncatedOrCorruptedImageIsNoImage() throws Exception {
        byte[] png = written("png", 64, 64, BufferedImage.TYPE_INT_RGB);
        assertThat(ImageFormat.inspect(Arrays.copyOf(png, png.length - 12))).as("IEND cut off").isEmpty();
        byte[] flipped = png.clone();
        flipped[png.length / 2] ^= 0x55;
        assertThat(ImageFormat.inspect(flipped)).as("a flipped byte breaks a CRC").isEmpty();
        byte[] jpeg = written("jpeg", 64, 64, BufferedImage.TYPE_INT_RGB);
        assertThat(ImageFormat.inspect(Arrays.copyOf(jpeg, jpeg.length / 2))).as("no end of image").isEmpty();
        byte[] webp = losslessWebp(10, 10);
        assertThat(ImageFormat.inspect(Arrays.copyOf(webp, webp.length - 4))).as("RIFF size beyond the file").isEmpty();
    }

    @Test
    void aPngWhoseDataDoesNotFillItsHeaderIsNoImage() throws Exception {
        byte[] png = written("png", 8, 8, BufferedImage.TYPE_BYTE_GRAY);
        // Claim a larger image in IHDR and fix the CRC: the chunks are intact, the pixel data is too short.
        png[16 + 3] = 9;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        long value = crc.getValue();
        png[29] = (byte) (value >>> 24);
        png[30] = (byte) (value >>> 16);
        png[31] = (byte) (value >>> 8);
        png[32] = (byte) value;
        assertThat(ImageFormat.inspect(png)).isEmpty();
    }

    /** A lossless WebP header (RIFF, VP8L chunk with its size bits); the inspection reads no further. */
    private static byte[] losslessWebp(int width, int height) {
        long bits = (width - 1) | ((long) (height - 1) << 14);
        byte[] chunk = {0x2f, (byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24), 0, 0, 0};
        byte[] file = new byte[12 + 8 + chunk.length];
        System.arraycopy(bytes("RIFF"), 0, file, 0, 4);
        int riff = file.length - 8;
        file[4] = (byte) riff;
        System.arraycopy(bytes("WEBPVP8L"), 0, file, 8, 8);
        file[16] = (byte) chunk.length;
        System.arraycopy(chunk, 0, file, 20, chunk.length);
        return file;
    }
}
