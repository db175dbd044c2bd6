package dev.wanhybrid.engine.devicecheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The device bundle's round trip on this machine: {@code gpu/stage.sh} packs the CPU build into parts of at most
 * 16 MiB, {@code gpu/run.sh} verifies and unpacks them into an empty folder and runs {@link DeviceCheck} from
 * the unpacked runtime and jars on the tiny fixtures; a damaged part is refused before anything runs.
 */
class BundleRoundTripIT {

    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path BUILD = Path.of(System.getProperty("build.dir", "target"));

    @Test
    void stagedBundleUnpacksAndRunsTheCheckFromItsParts() throws Exception {
        for (String tool : List.of("python3", "xz", "bash")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed; the bundle scripts need it:"
                    + " sudo apt-get install -y python3 xz-utils (CI's .ci/run installs them)");
        }
        Path stage = BUILD.resolve("bundle-it/stage");
        Process staging = run(List.of("bash", "gpu/stage.sh", "--build", BUILD.toString(), "--level", "0",
                "--part-mib", "16", "--out", stage.toString()));
        assertThat(staging.exitValue()).as(output(staging)).isZero();

        Path parts = stage.resolve("parts");
        List<Path> files;
        try (Stream<Path> listing = Files.list(parts)) {
            files = listing.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(1);
        for (Path part : files) {
            assertThat(Files.size(part)).isLessThanOrEqualTo(16L << 20);
        }
        JsonObject manifest = JsonParser.parseString(Files.readString(parts.resolve("manifest.json")))
                .getAsJsonObject();
        assertThat(manifest.getAsJsonArray("parts")).hasSize(files.size());

        Path results = BUILD.resolve("bundle-it/results");
        Process check = run(List.of("bash", "gpu/run.sh", "--parts", parts.toString(), "--work",
                BUILD.resolve("bundle-it/work").toString(), "--results", results.toString(), "--",
                "--device", "cpu", "--threads", "2", "--model", "tiny", "--sizes", "64x48x5", "--steps", "2",
                "--text-length", "16", "--fixtures", MODULE.resolve("src/test/resources/wan21-tiny").toString()));
        assertThat(check.exitValue()).as(output(check)).isZero();
        JsonObject figures = JsonParser.parseString(Files.readString(results.resolve("device-check.json")))
                .getAsJsonObject();
        assertThat(figures.get("numerics").getAsString()).startsWith("agrees with float64");
        assertThat(figures.get("tiny_dit_fp32_max_abs_diff").getAsDouble()).isLessThan(1e-4);
        assertThat(figures.get("tiny_vae_decode_fp32_max_abs_diff").getAsDouble()).isLessThan(1e-4);
        assertThat(figures.get("64x48x5.video_shape").getAsString()).isEqualTo("[3, 5, 48, 64]");
        assertThat(figures.get("64x48x5.step_s").getAsDouble()).isPositive();

        // One flipped byte in one part: refused by the checksums, before any Java runs.
        Path damaged = BUILD.resolve("bundle-it/damaged");
        Files.createDirectories(damaged);
        for (Path file : Files.list(parts).toList()) {
            Files.copy(file, damaged.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path victim = damaged.resolve(files.get(1).getFileName());
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(victim, bytes);
        Process refused = run(List.of("bash", "gpu/run.sh", "--parts", damaged.toString(), "--work",
                BUILD.resolve("bundle-it/work-damaged").toString(), "--results",
                BUILD.resolve("bundle-it/results-damaged").toString(), "--", "--device", "cpu"));
        assertThat(refused.exitValue()).isNotZero();
        assertThat(output(refused)).contains(files.get(1).getFileName() + " is damaged");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Process run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command);
        Path log = Files.createTempFile("bundle-it", ".log");
        ProcessBuilder builder = new ProcessBuilder(full).directory(MODULE.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // stage.sh links the runtime with this JDK's jlink (the toolchain JDK 25 the tests run on).
        builder.environment().put("JDK25_HOME", System.getProperty("java.home"));
        builder.environment().remove("OUT");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " ran past 10 minutes");
        }
        logs.put(process, log);
        return process;
    }

    private static final java.util.Map<Process, Path> logs = new java.util.HashMap<>();

    private static String output(Process process) {
        try {
            return Files.readString(logs.get(process), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
