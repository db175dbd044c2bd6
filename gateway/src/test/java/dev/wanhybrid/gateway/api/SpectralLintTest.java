package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lints the published API reference ({@code docs/openapi.json}) with Stoplight Spectral's {@code spectral:oas}
 * ruleset ({@code .spectral.yaml}): zero errors. Spectral is an npm package the build cannot fetch, so it is found
 * as {@code $SPECTRAL} (the CLI's path), else {@code spectral} on the PATH, else {@code npx --no-install spectral};
 * where none is there the test is skipped saying how to install it. {@code .ci/run} installs the pinned version and
 * sets {@code SPECTRAL} and {@code SPECTRAL_REQUIRED=1}, under which a missing Spectral fails instead.
 */
class SpectralLintTest {

    static final String VERSION = "6.16.3";
    static final String HOW_TO_INSTALL = "Spectral not found: install it with `npm install --prefix .ci/spectral"
            + " @stoplight/spectral-cli@" + VERSION + "` and set SPECTRAL=$PWD/.ci/spectral/node_modules/.bin/spectral"
            + " (or `npm install -g @stoplight/spectral-cli@" + VERSION + "`)";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path PUBLISHED = ROOT.resolve("docs/openapi.json");
    private static final Path RULESET = ROOT.resolve(".spectral.yaml");

    /** The Spectral command found, looked for once; empty where there is none. */
    private static Optional<List<String>> spectral;

    @TempDir
    Path work;

    private static synchronized Optional<List<String>> spectral() {
        if (spectral == null) {
            List<List<String>> candidates = new ArrayList<>();
            String configured = System.getenv("SPECTRAL");
            if (configured != null && !configured.isBlank()) {
                candidates.add(List.of(configured));
            }
            candidates.add(List.of("spectral"));
            candidates.add(List.of("npx", "--no-install", "spectral"));
            spectral = candidates.stream().filter(SpectralLintTest::answersVersion).findFirst();
        }
        return spectral;
    }

    @BeforeEach
    void requireSpectral() {
        if (spectral().isEmpty() && "1".equals(System.getenv("SPECTRAL_REQUIRED"))) {
            throw new AssertionError(HOW_TO_INSTALL + " (SPECTRAL_REQUIRED=1)");
        }
        Assumptions.assumeTrue(spectral().isPresent(), "skipped: " + HOW_TO_INSTALL);
    }

    private static boolean answersVersion(List<String> command) {
        try {
            List<String> full = new ArrayList<>(command);
            full.add("--version");
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 && out.strip().matches("\\d+\\.\\d+\\.\\d+");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Spectral's findings for {@code document}: each {@code {code, severity (0 error .. 3 hint), path, message}}. */
    private List<JsonNode> lint(Path document) throws Exception {
        Path report = work.resolve("report-" + System.nanoTime() + ".json");
        List<String> command = new ArrayList<>(spectral().orElseThrow());
        command.addAll(List.of("lint", "--ruleset", RULESET.toString(), "--format", "json", "--output",
                report.toString(), "--fail-severity", "error", "--quiet", document.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("spectral.log").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("spectral finished").isTrue();
        assertThat(report).as("spectral's report; its log: %s", Files.readString(work.resolve("spectral.log")))
                .exists();
        List<JsonNode> findings = new ArrayList<>();
        JsonMapper.builder().build().readTree(Files.readString(report)).forEach(findings::add);
        return findings;
    }

    private static List<String> errors(List<JsonNode> findings) {
        return findings.stream().filter(f -> f.path("severity").asInt() == 0)
                .map(f -> f.path("code").asString() + " at " + f.path("path") + ": " + f.path("message").asString())
                .toList();
    }

    @Test
    void thePublishedDocumentHasNoSpectralErrors() throws Exception {
        List<JsonNode> findings = lint(PUBLISHED);
        assertThat(errors(findings)).isEmpty();
        // The warnings are listed in docs/api.md; a new kind of warning is a change to look at.
        assertThat(findings.stream().map(f -> f.path("code").asString()).distinct())
                .isSubsetOf("info-contact", "operation-description");
    }

    @Test
    void spectralReportsErrorsInABrokenDocument() throws Exception {
        // The published document with a dangling reference and a path parameter the path does not declare.
        String broken = Files.readString(PUBLISHED)
                .replace("\"#/components/schemas/ErrorEnvelope\"", "\"#/components/schemas/NoSuchSchema\"")
                .replace("\"/v1/videos/{id}/remix\"", "\"/v1/videos/remix\"");
        Path copy = work.resolve("broken.json");
        Files.writeString(copy, broken);
        assertThat(errors(lint(copy))).anyMatch(e -> e.startsWith("invalid-ref"))
                .anyMatch(e -> e.startsWith("path-params"));
    }
}
