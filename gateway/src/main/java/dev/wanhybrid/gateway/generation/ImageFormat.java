package dev.wanhybrid.gateway.generation;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The formats of an input image the gateway recognises: {@link #sniff} reads the leading magic numbers,
 * {@link #inspect} checks that the whole file is a well-formed image of that format and reads its size.
 */
public enum ImageFormat {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    WEBP("image/webp", "webp"),
    BMP("image/bmp", "bmp");

    private final String mediaType;
    private final String extension;

    ImageFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The file name extension results and uploads are stored with. */
    public String extension() {
        return extension;
    }

    /** The format from the magic numbers at the start of the bytes, whatever a client declared; empty if none. */
    public static Optional<ImageFormat> sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return Optional.of(PNG);
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return Optional.of(WEBP);
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return Optional.of(BMP);
        }
        return Optional.empty();
    }

    /** A well-formed image: its format and pixel size. */
    public record Image(ImageFormat format, int width, int height) {}

    /**
     * The image, when the bytes are a well-formed file of a recognised format: for PNG every chunk's CRC, the
     * header's fields and the compressed pixel data inflating to exactly the size the header implies; for JPEG
     * the marker segments up to the end-of-image marker with a frame header before the first scan; for WebP the
     * RIFF container and the frame header; for BMP the file and DIB headers. Nothing is decoded into pixels, so a
     * small file that claims a huge image costs no memory. Empty when the bytes are not such an image (a valid
     * signature followed by anything else included).
     */
    public static Optional<Image> inspect(byte[] b) {
        Optional<ImageFormat> format = sniff(b);
        if (format.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(switch (format.get()) {
                case PNG -> png(b);
                case JPEG -> jpeg(b);
                case WEBP -> webp(b);
                case BMP -> bmp(b);
            });
        } catch (IndexOutOfBoundsException | DataFormatException e) {
            return Optional.empty();
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static Image png(byte[] b) throws DataFormatException {
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (b[i] != PNG_SIGNATURE[i]) {
                return null;
            }
        }
        int pos = 8;
        int width = 0;
        int height = 0;
        int bitDepth = 0;
        int colorType = 0;
        boolean interlaced = false;
        boolean idat = false;
        Inflater inflater = new Inflater();
        long inflated = 0;
        long expected = 0;
        byte[] sink = new byte[64 * 1024];
        try {
            while (true) {
                long length = u32be(b, pos);
                String type = new String(b, pos + 4, 4, StandardCharsets.US_ASCII);
                if (length > b.length - pos - 12L) {
                    return null;
                }
                int data = pos + 8;
                int end = data + (int) length;
                CRC32 crc = new CRC32();
                crc.update(b, pos + 4, 4 + (int) length);
                if (crc.getValue() != u32be(b, end)) {
                    return null;
                }
                if (pos == 8) {
                    if (!type.equals("IHDR") || length != 13) {
                        return null;
                    }
                    width = (int) Math.min(Integer.MAX_VALUE, u32be(b, data));
                    height = (int) Math.min(Integer.MAX_VALUE, u32be(b, data + 4));
                    bitDepth = b[data + 8];
                    colorType = b[data + 9];
                    int channels = switch (colorType) {
                        case 0, 3 -> 1;
                        case 2 -> 3;
                        case 4 -> 2;
                        case 6 -> 4;
                        default -> 0;
                    };
                    boolean depthOk = switch (colorType) {
                        case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
                        case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
                        default -> bitDepth == 8 || bitDepth == 16;
                    };
                    if (width <= 0 || height <= 0 || channels == 0 || !depthOk || b[data + 10] != 0
                            || b[data + 11] != 0 || (b[data + 12] != 0 && b[data + 12] != 1)) {
                        return null;
                    }
                    interlaced = b[data + 12] == 1;
                    expected = pngDataSize(width, height, channels * bitDepth, interlaced);
                } else if (type.equals("IHDR")) {
                    return null;
                } else if (type.equals("IDAT")) {
                    idat = true;
                    inflater.setInput(b, data, (int) length);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        int n = inflater.inflate(sink);
                        inflated += n;
                        if (inflated > expected) {
                            return null;
                        }
                        if (n == 0 && inflater.needsDictionary()) {
                            return null;
                        }
                    }
                } else if (type.equals("IEND")) {
                    return idat && inflater.finished() && inflated == expected
                            ? new Image(PNG, width, height) : null;
                }
                pos = end + 4;
            }
        } finally {
            inflater.end();
        }
    }

    /** Bytes of filtered scanlines a PNG of this size holds: one filter byte per row, per Adam7 pass if interlaced. */
    private static long pngDataSize(long width, long height, int bitsPerPixel, boolean interlaced) {
        if (!interlaced) {
            return height * (1 + (width * bitsPerPixel + 7) / 8);
        }
        int[][] passes = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
            {0, 1, 1, 2}};
        long total = 0;
        for (int[] p : passes) {
            long w = (width - p[0] + p[2] - 1) / p[2];
            long h = (height - p[1] + p[3] - 1) / p[3];
            if (w > 0 && h > 0) {
                total += h * (1 + (w * bitsPerPixel + 7) / 8);
            }
        }
        return total;
    }

    private static Image jpeg(byte[] b) {
        int pos = 2;
        int width = 0;
        int height = 0;
        boolean scanned = false;
        while (pos < b.length) {
            if ((b[pos] & 0xff) != 0xff) {
                return null;
            }
            while (pos < b.length && (b[pos] & 0xff) == 0xff) {
                pos++;
            }
            int marker = b[pos] & 0xff;
            pos++;
            if (marker == 0xd9) {
                return scanned && width > 0 && height > 0 ? new Image(JPEG, width, height) : null;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                continue;
            }
            if (marker == 0x00 || marker == 0xd8) {
                return null;
            }
            int length = u16be(b, pos);
            if (length < 2 || pos + length > b.length) {
                return null;
            }
            boolean frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (frame) {
                height = u16be(b, pos + 3);
                width = u16be(b, pos + 5);
                int components = b[pos + 7] & 0xff;
                if (width == 0 || height == 0 || components < 1 || components > 4 || length != 8 + 3 * components) {
                    return null;
                }
            }
            pos += length;
            if (marker == 0xda) {
                if (width == 0) {
                    return null;
                }
                scanned = true;
                // Entropy-coded data runs to the next marker that is neither a stuffed 0xff00 nor a restart marker.
                while (pos + 1 < b.length) {
                    if ((b[pos] & 0xff) == 0xff) {
                        int next = b[pos + 1] & 0xff;
                        if (next != 0x00 && !(next >= 0xd0 && next <= 0xd7) && next != 0xff) {
                            break;
                        }
                    }
                    pos++;
                }
            }
        }
        return null;
    }

    private static Image webp(byte[] b) {
        long riff = u32le(b, 4);
        if (riff < 4 + 8 || riff + 8 > b.length) {
            return null;
        }
        int end = (int) (riff + 8);
        int pos = 12;
        int width = 0;
        int height = 0;
        boolean frame = false;
        while (pos + 8 <= end) {
            String type = new String(b, pos, 4, StandardCharsets.US_ASCII);
            long size = u32le(b, pos + 4);
            int data = pos + 8;
            if (size > end - data) {
                return null;
            }
            switch (type) {
                case "VP8 " -> {
                    if (size < 10 || (b[data] & 1) != 0 || (b[data + 3] & 0xff) != 0x9d || (b[data + 4] & 0xff) != 0x01
                            || (b[data + 5] & 0xff) != 0x2a) {
                        return null;
                    }
                    if (width == 0) {
                        width = u16le(b, data + 6) & 0x3fff;
                        height = u16le(b, data + 8) & 0x3fff;
                    }
                    frame = true;
                }
                case "VP8L" -> {
                    if (size < 5 || (b[data] & 0xff) != 0x2f) {
                        return null;
                    }
                    long bits = u32le(b, data + 1);
                    if (width == 0) {
                        width = (int) (bits & 0x3fff) + 1;
                        height = (int) ((bits >> 14) & 0x3fff) + 1;
                    }
                    frame = true;
                }
                case "VP8X" -> {
                    if (pos != 12 || size < 10) {
                        return null;
                    }
                    width = (int) (u24le(b, data + 4) + 1);
                    height = (int) (u24le(b, data + 7) + 1);
                }
                case "ANMF" -> frame = true;
                default -> { }
            }
            pos = data + (int) size + (int) (size & 1);
        }
        return frame && width > 0 && height > 0 ? new Image(WEBP, width, height) : null;
    }

    private static Image bmp(byte[] b) {
        long fileSize = u32le(b, 2);
        long pixels = u32le(b, 10);
        long header = u32le(b, 14);
        if (fileSize > b.length || header < 12 || pixels < 14 + header || pixels >= b.length) {
            return null;
        }
        int width;
        int height;
        int planes;
        int bpp;
        if (header == 12) {
            width = u16le(b, 18);
            height = u16le(b, 20);
            planes = u16le(b, 22);
            bpp = u16le(b, 24);
        } else {
            width = (int) u32le(b, 18);
            height = Math.abs((int) u32le(b, 22));
            planes = u16le(b, 26);
            bpp = u16le(b, 28);
        }
        boolean depthOk = bpp == 1 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32;
        return width > 0 && height > 0 && planes == 1 && depthOk ? new Image(BMP, width, height) : null;
    }

    private static long u32be(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static int u16be(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32le(byte[] b, int i) {
        return ((long) (b[i + 3] & 0xff) << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
    }

    private static long u24le(byte[] b, int i) {
        return ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
    }

    private static int u16le(byte[] b, int i) {
        return ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
    }
}
