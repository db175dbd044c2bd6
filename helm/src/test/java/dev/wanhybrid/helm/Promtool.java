package dev.wanhybrid.helm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs Prometheus' own rule checker. Where it is not installed the tests that need it are skipped, saying how to
 * install it (the build cannot fetch it: it is not a Maven artifact), so the README's test command passes on a
 * fresh machine; {@code .ci/run} installs it and sets {@code PROMTOOL_REQUIRED=1}, under which a missing promtool
 * fails instead, so CI never skips them silently.
 */
final class Promtool {

    static final String HOW_TO_INSTALL =
            "promtool not found on PATH: install Debian's prometheus package (apt-get install -y prometheus), "
                    + "or put Prometheus' promtool binary on PATH";

    record Result(int exitCode, String output) {}

    private Promtool() {}

    static Path executable() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("PROMTOOL_REQUIRED"))) {
            throw new AssertionError(HOW_TO_INSTALL + " (PROMTOOL_REQUIRED=1)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(found.isPresent(), "skipped: " + HOW_TO_INSTALL);
        return found.orElseThrow();
    }

    static Result run(Path workingDirectory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("promtool did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }
}
