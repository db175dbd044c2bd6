package dev.wanhybrid.engine.internal.video;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * Runs the {@code ffmpeg} and {@code ffprobe} programs that JavaCPP's FFmpeg build ships (the same libraries the
 * engine links for MP4 writing), extracted once from the platform jar. A run that fails or outlives its timeout
 * is an {@link IOException} carrying the tail of the program's log.
 */
public final class FfmpegTools {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private FfmpegTools() {}

    /** Runs {@code ffmpeg} with {@code arguments} (after {@code -nostdin -v error -y}); returns its stdout. */
    public static String ffmpeg(List<String> arguments) throws IOException {
        return run(Loader.load(org.bytedeco.ffmpeg.ffmpeg.class), List.of("-nostdin", "-v", "error", "-y"),
                arguments);
    }

    /** Runs {@code ffprobe} with {@code arguments} (after {@code -v error}); returns its stdout. */
    public static String ffprobe(List<String> arguments) throws IOException {
        return run(Loader.load(org.bytedeco.ffmpeg.ffprobe.class), List.of("-v", "error"), arguments);
    }

    private static String run(String program, List<String> fixed, List<String> arguments) throws IOException {
        // The programs link the shared libraries beside them, which loading the JNI bindings extracts.
        Loader.load(org.bytedeco.ffmpeg.global.avdevice.class);
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(fixed);
        command.addAll(arguments);
        Path log = Files.createTempFile("ffmpeg-", ".log");
        Path out = Files.createTempFile("ffmpeg-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile())
                    .redirectOutput(out.toFile());
            String libraries = Path.of(program).getParent().toString();
            String inherited = builder.environment().get("LD_LIBRARY_PATH");
            builder.environment().put("LD_LIBRARY_PATH",
                    inherited == null || inherited.isEmpty() ? libraries : libraries + ":" + inherited);
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + Path.of(program).getFileName(), e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IOException(Path.of(program).getFileName() + " did not finish within " + TIMEOUT);
            }
            if (process.exitValue() != 0) {
                String text = Files.readString(log, StandardCharsets.UTF_8).strip();
                throw new IOException(Path.of(program).getFileName() + " exited with " + process.exitValue() + ": "
                        + (text.length() > 500 ? text.substring(text.length() - 500) : text));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(out);
        }
    }
}
