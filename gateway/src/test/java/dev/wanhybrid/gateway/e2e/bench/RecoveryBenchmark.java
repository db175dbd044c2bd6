package dev.wanhybrid.gateway.e2e.bench;

import dev.wanhybrid.gateway.e2e.support.FaultInjectionHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The larger recovery run of issue 12: the fault-injection harness (executable jar as a child process on an H2
 * file, simulator as its own process, slow cloud / outage / 429 storm, {@code kill -9} between waves) with hundreds
 * of jobs and 20 kills. Not a test: it asserts nothing, prints what it counted and writes it into a Markdown file,
 * replacing only the section between {@value #START} and {@value #END} (the rest of the file is kept).
 *
 * <pre>
 * ./mvnw -pl gateway -am package -DskipTests
 * ./mvnw -pl gateway test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *   '-Dexec.args=-Dgateway.executable-jar=target/gateway-0.1.0-SNAPSHOT.jar -classpath %classpath
 *   dev.wanhybrid.gateway.e2e.bench.RecoveryBenchmark ../docs/benchmarks/recovery.md 21 15'
 * </pre>
 * (21 waves of 15 jobs: 315 jobs, 20 kills.)
 */
public final class RecoveryBenchmark {

    static final String START = "<!-- recovery-benchmark:start -->";
    static final String END = "<!-- recovery-benchmark:end -->";

    private RecoveryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks/recovery.md");
        int waves = args.length > 1 ? Integer.parseInt(args[1]) : 21;
        int perWave = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Path work = Files.createTempDirectory("recovery-bench");
        long started = System.nanoTime();
        FaultInjectionHarness.Outcome o;
        try (FaultInjectionHarness harness = new FaultInjectionHarness(work, List.of(
                "--spring.datasource.url=jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0"), 2026)) {
            o = harness.run(waves, perWave, Duration.ofMinutes(10));
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        String md = """
                Written by `e2e.bench.RecoveryBenchmark` on %s (%d s wall time, %d CPU cores). The gateway's executable
                jar runs as a child process on an H2 file (`WRITE_DELAY=0`); the DashScope simulator runs as its own
                process (1 s pending, 3 s running, wan2.5 concurrency 5). %d waves of %d jobs; after each wave but
                the last the gateway is killed with `kill -9` at a random moment (0.3-3.3 s after the wave); waves
                run in turn under no fault, a slow cloud (answers after 1.6 s, request timeout 1 s), a 3 s outage and
                a 429 storm, all injected through `POST /sim/faults`.

                | count | value |
                |---|---|
                | jobs acknowledged (200) | %d |
                | creations refused (503 while the breaker was open, or cut by a kill) | %d |
                | kills | %d |
                | completed | %d |
                | failed or cancelled, by code | %s |
                | unfinished at the bound (10 min after the last restart) | %d |
                | seconds from the last restart until every job finished | %d |
                | tasks the simulator created | %d |
                | tasks it billed (SUCCEEDED) | %d |
                | simulator billing, USD | %s |
                | ledger total, USD | %s |
                | reserved at the end, USD | %s |
                | cloud breaker at the end | %s |
                | DashScope task slots held at the end | %d |
                """.formatted(Instant.now(), seconds, Runtime.getRuntime().availableProcessors(), waves, perWave,
                o.acknowledged(), o.refusedAtCreation(), o.kills(), o.completed(), o.failedByCode(), o.unfinished(),
                o.recoverySeconds(), o.simulatorSubmissions(), o.boundTasks(), o.simulatorBilledUsd().toPlainString(),
                o.ledgerUsd().toPlainString(), o.reservedUsd().toPlainString(), o.cloudBreaker(), o.cloudSlotsHeld());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, withSection(Files.exists(out) ? Files.readString(out) : "", md));
        System.out.print(md);
    }

    /** The document with its benchmark section replaced by {@code section} (added at the end when it has none). */
    static String withSection(String document, String section) {
        String block = START + "\n" + section + END;
        int start = document.indexOf(START);
        int end = document.indexOf(END);
        if (start >= 0 && end > start) {
            return document.substring(0, start) + block + document.substring(end + END.length());
        }
        String head = document.isBlank() ? "# Recovery under kill -9 and cloud faults\n\n" : document + "\n";
        return head + block + "\n";
    }
}
