package dev.wanhybrid.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.FaultInjectionHarness;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The "done when", at modest size: the real executable jar as a child process, the DashScope simulator as
 * another, 42 jobs in six waves, the gateway killed with {@code kill -9} at a random moment after each wave but the
 * last (five kills), with a slow cloud (answers after the request timeout), an outage and a 429 storm injected
 * through the simulator's fault endpoint. Every acknowledged job must finish within the bound, nothing is submitted twice, the ledger equals the
 * simulator's billing to the cent, the cloud breaker is closed again and no reservation is left. Once on an H2 file,
 * once on PostgreSQL.
 */
class FaultInjectionHarnessIT {

    static final int WAVES = 6;
    static final int PG_WAVES = 6;
    static final int JOBS_PER_WAVE = 7;
    static final Duration BOUND = Duration.ofSeconds(120);

    @Test
    void onAnH2FileEveryAcknowledgedJobFinishesAfterFiveKillsAndTheLedgerEqualsTheBilling() throws Exception {
        Path work = Files.createTempDirectory("harness-h2");
        try (FaultInjectionHarness harness = new FaultInjectionHarness(work, List.of(
                "--spring.datasource.url=jdbc:h2:file:" + work.resolve("db/gateway") + ";WRITE_DELAY=0"), 12)) {
            check(harness.run(WAVES, JOBS_PER_WAVE, BOUND), WAVES - 1);
        }
    }

    @Test
    void onPostgresEveryAcknowledgedJobFinishesAfterKillsAndTheLedgerEqualsTheBilling() throws Exception {
        Path work = Files.createTempDirectory("harness-pg");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                FaultInjectionHarness harness = new FaultInjectionHarness(work, List.of(
                        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "--spring.datasource.username=postgres", "--spring.datasource.password="), 34)) {
            // Six waves, five kills, as on H2.
            check(harness.run(PG_WAVES, JOBS_PER_WAVE, BOUND), PG_WAVES - 1);
        }
    }

    private static void check(FaultInjectionHarness.Outcome outcome, int kills) {
        System.out.println("fault-injection harness: " + outcome);
        assertThat(outcome.kills()).isEqualTo(kills);
        // A create that timed out is a gateway that went silent while up (its threads are in the work folder as
        // threads-create-*.txt and *.vthreads.json), not a kill: say so, rather than as the job it may still
        // have created, which runs and is billed without being acknowledged.
        assertThat(outcome.createTimeouts()).as("creates the running gateway did not answer within 30 s").isZero();
        assertThat(outcome.acknowledged()).as("acknowledged jobs").isGreaterThanOrEqualTo(JOBS_PER_WAVE);
        assertThat(outcome.unfinished()).as("acknowledged jobs lost or stuck past the bound").isZero();
        assertThat(outcome.completed() + outcome.failedByCode().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(outcome.acknowledged());
        assertThat(outcome.failedByCode()).as("failures, by code").isEmpty();
        assertThat(outcome.simulatorSubmissions()).as("tasks the simulator created: one per completed job, none twice")
                .isEqualTo(outcome.completedInGateway());
        assertThat(outcome.ledgerUsd()).as("ledger = the simulator's billing, to the cent")
                .isEqualByComparingTo(outcome.simulatorBilledUsd());
        assertThat(outcome.reservedUsd()).as("reservations left").isEqualByComparingTo("0");
        assertThat(outcome.cloudBreaker()).isEqualTo("closed");
        assertThat(outcome.cloudSlotsHeld()).as("DashScope task slots still held when nothing runs").isZero();
    }
}
