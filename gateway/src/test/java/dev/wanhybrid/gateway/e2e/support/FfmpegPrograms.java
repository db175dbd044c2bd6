package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.engine.internal.video.FfmpegTools;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that make or read videos and stills with FFmpeg's programs ({@code ffmpeg}, {@code ffprobe}): they
 * link system libraries that a minimal machine may lack, so such a test is skipped there, saying what to install
 * ({@code .ci/run} installs it).
 */
public final class FfmpegPrograms {

    private FfmpegPrograms() {}

    /** Skips the calling test when the programs cannot run here. */
    public static void assumeAvailable() {
        Optional<String> problem = FfmpegTools.unavailable();
        Assumptions.assumeTrue(problem.isEmpty(), () -> "FFmpeg's programs do not run here, so this test, which "
                + "reads videos or stills with them, is skipped: " + problem.orElse("")
                + ". Install with: " + FfmpegTools.INSTALL);
    }
}
