package dev.wanhybrid.engine;

import dev.wanhybrid.engine.internal.video.FfmpegTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stills taken from a finished video with FFmpeg: a thumbnail (WebP), a spritesheet of evenly spaced frames (JPEG),
 * the last frame (PNG, to continue a video from), and a probe of what a file decodes to.
 */
public final class VideoStills {

    /** Width in pixels of one frame in a spritesheet; the height keeps the video's aspect ratio (even). */
    public static final int SPRITE_TILE_WIDTH = 256;

    /** Frames across a spritesheet; it has as many rows as its frames need, up to {@value #SPRITE_COLUMNS}. */
    public static final int SPRITE_COLUMNS = 5;

    private VideoStills() {}

    /**
     * What FFmpeg decodes a file's first video stream (or image) to.
     *
     * @param codec FFmpeg's codec name: {@code h264}, {@code webp}, {@code mjpeg}, {@code png}
     * @param frames the stream's frame count ({@code 1} for a still)
     */
    public record Probe(String codec, int width, int height, int frames) {}

    /** Reads codec, size and frame count with {@code ffprobe}, counting the frames by decoding them. */
    public static Probe probe(Path file) throws IOException {
        String line = FfmpegTools.ffprobe(List.of("-select_streams", "v:0", "-count_frames", "-show_entries",
                "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", file.toString())).strip();
        String[] parts = line.split("\\R")[0].split(",");
        if (parts.length < 4) {
            throw new IOException("ffprobe found no video stream in " + file + ": '" + line + "'");
        }
        return new Probe(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
                parts[3].equals("N/A") ? 1 : Integer.parseInt(parts[3]));
    }

    /**
     * A video file's container and length, as {@code ffprobe} reads them from its header.
     *
     * @param format FFmpeg's demuxer name ({@code mov,mp4,m4a,3gp,3g2,mj2} for MP4 and QuickTime)
     * @param seconds the container's duration
     */
    public record Clip(String format, double seconds) {}

    /** Reads a video file's container and duration with {@code ffprobe}; fails when it has no video stream. */
    public static Clip clip(Path file) throws IOException {
        Probe video = probe(file);
        String line = FfmpegTools.ffprobe(List.of("-show_entries", "format=format_name,duration", "-of", "csv=p=0",
                file.toString())).strip();
        String[] parts = line.split("\\R")[0].split(",(?=[^,]*$)");
        if (parts.length < 2 || video.frames() < 1) {
            throw new IOException("ffprobe read no format and duration from " + file + ": '" + line + "'");
        }
        try {
            return new Clip(parts[0], Double.parseDouble(parts[1]));
        } catch (NumberFormatException e) {
            throw new IOException("ffprobe read no duration from " + file + ": '" + line + "'", e);
        }
    }

    /**
     * Writes FFmpeg's most representative frame of {@code video} (its {@code thumbnail} filter) to {@code webp}, at
     * the video's size.
     */
    public static void thumbnail(Path video, Path webp) throws IOException {
        FfmpegTools.ffmpeg(List.of("-i", video.toString(), "-vf", "thumbnail", "-frames:v", "1", "-c:v", "libwebp",
                "-quality", "85", "-f", "webp", webp.toString()));
    }

    /**
     * Writes a grid of up to {@code SPRITE_COLUMNS x SPRITE_COLUMNS} frames spaced evenly from the first to the last,
     * each {@value #SPRITE_TILE_WIDTH} pixels wide, row by row, to {@code jpeg}.
     *
     * @return the grid's columns and rows
     */
    public static Grid spritesheet(Path video, Path jpeg) throws IOException {
        int frames = probe(video).frames();
        int count = Math.min(frames, SPRITE_COLUMNS * SPRITE_COLUMNS);
        Grid grid = Grid.of(count);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long index = count == 1 ? 0 : Math.round((double) i * (frames - 1) / (count - 1));
            picks.add("eq(n\\," + index + ")");
        }
        String filter = "select='" + String.join("+", picks) + "',scale=" + SPRITE_TILE_WIDTH + ":-2,tile="
                + grid.columns() + "x" + grid.rows();
        FfmpegTools.ffmpeg(List.of("-i", video.toString(), "-vf", filter, "-fps_mode", "passthrough", "-frames:v",
                "1", "-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", "-f", "image2", jpeg.toString()));
        return grid;
    }

    /** Writes the last decodable frame of {@code video} to {@code png}, lossless, at the video's size. */
    public static void lastFrame(Path video, Path png) throws IOException {
        int frames = probe(video).frames();
        FfmpegTools.ffmpeg(List.of("-i", video.toString(), "-vf", "select='eq(n\\," + (frames - 1) + ")'",
                "-fps_mode", "passthrough", "-frames:v", "1", "-c:v", "png", "-f", "image2", png.toString()));
    }

    /** The layout of a spritesheet: {@code columns} frames across, {@code rows} down. */
    public record Grid(int columns, int rows) {

        static Grid of(int frames) {
            int columns = Math.min(frames, SPRITE_COLUMNS);
            return new Grid(columns, (frames + columns - 1) / columns);
        }
    }
}
