package dev.wanhybrid.engine.internal.video;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /** What to install when the programs' libraries do not load (Debian and Ubuntu package names). */
    public static final String INSTALL = "apt-get install libpulse0";

    /** Runs {@code ffmpeg} with {@code arguments} (after {@code -nostdin -v error -y}); returns its stdout. */
    public static String ffmpeg(List<String> arguments) throws IOException {
        return run(load(org.bytedeco.ffmpeg.ffmpeg.class), List.of("-nostdin", "-v", "error", "-y"), arguments);
    }

    /** Runs {@code ffprobe} with {@code arguments} (after {@code -v error}); returns its stdout. */
    public static String ffprobe(List<String> arguments) throws IOException {
        return run(load(org.bytedeco.ffmpeg.ffprobe.class), List.of("-v", "error"), arguments);
    }

    /** Why the programs cannot run on this machine, or empty when they can (for callers that can do without). */
    public static Optional<String> unavailable() {
        try {
            load(org.bytedeco.ffmpeg.ffprobe.class);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The path of the program, once it and the shared libraries beside it are extracted (loading the JNI bindings
     * extracts them). The programs link libavdevice, which links system libraries that a minimal machine may lack
     * (PulseAudio's client library); JavaCPP then throws a {@link LinkageError} on the first load and
     * {@link NoClassDefFoundError} on every later one. That is an {@link IOException} here, naming what to install,
     * so that a caller that can do without the programs (stills of a finished video) carries on.
     */
    private static String load(Class<?> program) throws IOException {
        try {
            String path = Loader.load(program);
            Loader.load(org.bytedeco.ffmpeg.global.avdevice.class);
            return path;
        } catch (LinkageError e) {
            throw new IOException("FFmpeg's programs cannot load their libraries on this machine (" + e
                    + "); a system library they link is missing (Debian, Ubuntu: " + INSTALL + ")", e);
        }
    }

    private static String run(String program, List<String> fixed, List<String> arguments) throws IOException {
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
