package dev.wanhybrid.gateway.generation;

import java.util.regex.Pattern;

/**
 * Output frame size in pixels.
 *
 * <p>The OpenAI shape writes it {@code "1280x720"}, DashScope writes {@code "1280*720"}; both parse here.
 */
public record VideoSize(int width, int height) {

    /** What {@link #parse} splits on; compiled once (String.split compiles a pattern of more than one character per call). */
    private static final Pattern SEPARATOR = Pattern.compile("[x*X]");

    public VideoSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
    }

    /** Parses {@code WxH} or {@code W*H}; throws {@link IllegalArgumentException} naming the value otherwise. */
    public static VideoSize parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("size is missing");
        }
        String[] parts = SEPARATOR.split(text.trim());
        if (parts.length != 2) {
            throw new IllegalArgumentException("size must look like 1280x720, was '" + text + "'");
        }
        try {
            return new VideoSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size must look like 1280x720, was '" + text + "'");
        }
    }

    /** The shorter side, which names the quality tier (480, 720, 1080). */
    public int shortSide() {
        return Math.min(width, height);
    }

    /** {@code 1280x720}, the OpenAI form. */
    @Override
    public String toString() {
        return width + "x" + height;
    }
}
