package dev.wanhybrid.engine.internal.video;

import dev.wanhybrid.engine.internal.torch.Torch;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The input image of image-to-video, prepared as {@code WanTI2V.i2v} ({@code wan/textimage2video.py}) prepares
 * it: output size from {@code best_output_size}, resize so the image covers it, centre crop, {@code to_tensor}
 * then {@code (x - 0.5) / 0.5}.
 */
public final class Frames {

    private Frames() {}

    /**
     * {@code best_output_size} of {@code wan/utils/utils.py}: the size of about {@code area} pixels, multiples of
     * {@code dw} x {@code dh}, whose aspect ratio is closest to {@code w / h}; returns {width, height}.
     */
    public static int[] bestOutputSize(int w, int h, int dw, int dh, long area) {
        double ratio = (double) w / h;
        double ow = Math.sqrt(area * ratio);
        double oh = area / ow;
        int ow1 = (int) (Math.floor(ow / dw) * dw);
        int oh1 = (int) (Math.floor(area / (double) ow1 / dh) * dh);
        double ratio1 = (double) ow1 / oh1;
        int oh2 = (int) (Math.floor(oh / dh) * dh);
        int ow2 = (int) (Math.floor(area / (double) oh2 / dw) * dw);
        double ratio2 = (double) ow2 / oh2;
        if (Math.max(ratio / ratio1, ratio1 / ratio) < Math.max(ratio / ratio2, ratio2 / ratio)) {
            return new int[] {ow1, oh1};
        }
        return new int[] {ow2, oh2};
    }

    /**
     * Decodes a PNG, JPEG, GIF or BMP image and fits it to {@code width x height}: scaled by
     * {@code max(width/iw, height/ih)} and centre-cropped. Upstream resizes with PIL's Lanczos filter; this uses
     * Java2D's bicubic filter, so resized inputs differ slightly from upstream (an image already at the output
     * size is copied exactly). Returns {@code [H, W, 3]} uint8 RGB.
     *
     * @throws IllegalArgumentException when the bytes are not a readable image
     */
    public static Tensor decodeImage(byte[] bytes, int width, int height) {
        BufferedImage source;
        try {
            source = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("the input image cannot be read: " + e.getMessage(), e);
        }
        if (source == null) {
            throw new IllegalArgumentException("the input image is not a PNG, JPEG, GIF or BMP file");
        }
        int iw = source.getWidth();
        int ih = source.getHeight();
        BufferedImage fitted = source;
        if (iw != width || ih != height) {
            double scale = Math.max((double) width / iw, (double) height / ih);
            int sw = (int) Math.round(iw * scale);
            int sh = (int) Math.round(ih * scale);
            BufferedImage scaled = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(source, 0, 0, sw, sh, null);
            g.dispose();
            fitted = scaled.getSubimage((sw - width) / 2, (sh - height) / 2, width, height);
        }
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = fitted.getRGB(x, y);
                int o = (y * width + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        Tensor t = Torch.empty(ScalarType.Byte, height, width, 3);
        new org.bytedeco.javacpp.BytePointer(t.data_ptr()).put(rgb, 0, rgb.length);
        return t;
    }

    /** {@code [H, W, 3]} uint8 to {@code [3, 1, H, W]} float32 in [-1, 1]: {@code (x / 255 - 0.5) / 0.5}. */
    public static Tensor imageTensor(Tensor uint8Hwc) {
        return uint8Hwc.permute(2, 0, 1).to(ScalarType.Float).div(Torch.s(255.0)).sub(Torch.s(0.5))
                .div(Torch.s(0.5)).unsqueeze(1).contiguous();
    }
}
