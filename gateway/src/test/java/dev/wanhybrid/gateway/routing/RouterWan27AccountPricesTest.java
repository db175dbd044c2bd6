package dev.wanhybrid.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.simulator.MutableClock;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.PriceTableLoader;
import dev.wanhybrid.gateway.backend.LocalQueueState;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.RoutingHints;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An account's own prices (a contract price that starts at midnight) change the estimate, the settlement price
 * and the router's choice from that instant, on a clock, without a restart; Wan 2.7 wins when it is the cheapest
 * capable model.
 */
class RouterWan27AccountPricesTest {

    /** Midnight UTC of 2026-12-06, the instant the contract price starts. */
    private static final Instant MIDNIGHT = Instant.parse("2026-12-06T00:00:00Z");
    private static final String ACCOUNT = """
            currency: USD
            prices:
              # the list price until the contract starts, then 40% off Wan 2.7 text-to-video
              - { model: wan2.7-t2v, audio: any, effective_from: 2026-04-03, effective_until: 2026-12-06,
                  per_second: { 720P: "0.10", 1080P: "0.15" } }
              - { model: wan2.7-t2v, audio: any, effective_from: 2026-12-06, per_second: { 720P: "0.06", 1080P: "0.09" } }
            """;

    private final ModelCatalog catalog = CatalogFixtures.shipped();
    private final MutableClock clock = new MutableClock(MIDNIGHT.minusSeconds(1));
    private final CostModelEstimator estimator;

    RouterWan27AccountPricesTest() throws Exception {
        CloudPriceTable account = PriceTableLoader.load(new ByteArrayInputStream(ACCOUNT.getBytes(
                StandardCharsets.UTF_8)), "account.yaml");
        estimator = new CostModelEstimator(dev.wanhybrid.cloud.catalog.ModelCatalog.load(), Region.INTERNATIONAL,
                null, clock).withAccountPrices(account);
    }

    private RoutingContext context() {
        return new RoutingContext(catalog,
                Map.of("local", new BackendHealth("local", false, "CLOSED", "no GPU", Set.of()),
                        "cloud", BackendHealth.up("cloud")),
                LocalQueueState.IDLE, LatencyObservations.NONE, estimator, new HashMap<>(), clock.instant());
    }

    private static GenerationSpec withSound720p() {
        return new GenerationSpec("acme", "auto", TaskKind.T2V, "a lighthouse at dusk", null,
                new VideoSize(1280, 720), 10, null, null, AudioSpec.GENERATED, null, RoutingHints.NONE);
    }

    @Test
    void aContractPriceStartingAtMidnightChangesTheEstimateTheSettlementAndTheRoute() throws Exception {
        var wan27 = catalog.find("wan2.7-t2v").orElseThrow();
        var hd = wan27.tiers().stream().filter(t -> t.name().equals("720p")).findFirst().orElseThrow();
        Router router = new Router();

        assertThat(estimator.estimateUsd(wan27, hd, 10, true)).isEqualByComparingTo("1.00");
        assertThat(estimator.listPricePerSecond("wan2.7-t2v", Tier.P720, true, LocalDate.now(clock)))
                .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.10"));
        Route before = router.decide(withSound720p(), context());
        assertThat(before.chosen().estimatedCostUsd()).isEqualByComparingTo("1.00");

        clock.advance(Duration.ofSeconds(1));

        assertThat(estimator.estimateUsd(wan27, hd, 10, true)).isEqualByComparingTo("0.60");
        assertThat(estimator.listPricePerSecond("wan2.7-t2v", Tier.P720, true, LocalDate.now(clock)))
                .as("what a job finishing now is settled at")
                .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.06"));
        Route after = router.decide(withSound720p(), context());
        assertThat(after.chosen().model()).isEqualTo("wan2.7-t2v");
        assertThat(after.chosen().estimatedCostUsd()).isEqualByComparingTo("0.60");
        assertThat(after.reason()).as("only the cloud makes sound; among it, the cheapest")
                .isEqualTo("audio_requires_cloud");
        assertThat(after.candidates().get(1).estimatedCostUsd()).isEqualByComparingTo("1.00");
        // Other models keep the list price.
        var wan26 = catalog.find("wan2.6-t2v").orElseThrow();
        assertThat(estimator.estimateUsd(wan26, wan26.tiers().getFirst(), 10, true)).isEqualByComparingTo("1.00");
    }

    @Test
    void aJobSettledAfterMidnightIsWrittenToTheLedgerAtTheContractPrice() throws Exception {
        // The real ledger over a migrated database, settling through the estimator's dated prices, on the clock.
        org.h2.jdbcx.JdbcDataSource db = new org.h2.jdbcx.JdbcDataSource();
        db.setURL("jdbc:h2:mem:contract-midnight;DB_CLOSE_DELAY=-1");
        db.setUser("sa");
        org.flywaydb.core.Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(db);
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(db));
        var budget = new dev.wanhybrid.gateway.budget.BudgetProperties(java.time.ZoneOffset.UTC, null, null, null,
                null);
        var pricer = new dev.wanhybrid.gateway.cost.CatalogSettlementPricer(catalog, null,
                dev.wanhybrid.gateway.cost.CatalogSettlementPricer.DatedPrices.of(estimator), clock,
                java.time.ZoneOffset.UTC);
        var ledger = new dev.wanhybrid.gateway.budget.JdbcSpendLedger(jdbc, tx, clock, budget, pricer,
                new dev.wanhybrid.gateway.budget.CapCache(jdbc, clock, Duration.ofSeconds(5), Duration.ofSeconds(1)));
        GenerationSpec spec = withSound720p();
        var billedTen = new dev.wanhybrid.gateway.backend.TaskSnapshot("task", 
                dev.wanhybrid.gateway.backend.TaskSnapshot.State.SUCCEEDED, 100, null, java.math.BigDecimal.TEN, null,
                null, null);

        ledger.reserve("before", "acme", "cloud", "wan2.7-t2v", new java.math.BigDecimal("1.00"));
        ledger.reserve("after", "acme", "cloud", "wan2.7-t2v", new java.math.BigDecimal("1.00"));
        ledger.settle("before", "acme", "cloud", new dev.wanhybrid.gateway.backend.BackendTask("before",
                "wan2.7-t2v", spec), billedTen);
        clock.advance(Duration.ofSeconds(1));
        ledger.settle("after", "acme", "cloud", new dev.wanhybrid.gateway.backend.BackendTask("after",
                "wan2.7-t2v", spec), billedTen);

        java.util.function.Function<String, Map<String, Object>> entry = job -> jdbc.sql(
                "SELECT state, actual_usd, billed_seconds, day_key FROM spend_entries WHERE job_id = ?").param(job)
                .query().singleRow();
        assertThat(entry.apply("before").get("STATE")).isEqualTo("settled");
        assertThat((java.math.BigDecimal) entry.apply("before").get("ACTUAL_USD")).isEqualByComparingTo("1.00");
        assertThat(entry.apply("after").get("STATE")).isEqualTo("settled");
        assertThat((java.math.BigDecimal) entry.apply("after").get("ACTUAL_USD"))
                .as("10 billed seconds at the contract's $0.06/s, from the first second after midnight")
                .isEqualByComparingTo("0.60");
        assertThat((java.math.BigDecimal) entry.apply("after").get("BILLED_SECONDS")).isEqualByComparingTo("10");
    }

    @Test
    void wan30IsChosenWhereItIsTheCheapestCapableModel() throws Exception {
        // wan3.0-video has no published price: an operator gives one, here below wan2.5's $0.05/s at 480P.
        String routing;
        try (var in = new org.springframework.core.io.ClassPathResource("gateway-routing.yaml").getInputStream()) {
            routing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String withWan30 = routing.replace("\n  # Backoff of backend retries", String.join("\n",
                "    extra-models:",
                "      - id: wan3.0-video",
                "        backend: cloud",
                "        fps: 30",
                "        quality: premium",
                "        default-size: 1280x720",
                "        tiers:",
                "          480p: {usd-per-second: 0.04, service-time-per-second: 24s}",
                "          720p: {usd-per-second: 0.08, service-time-per-second: 36s}",
                "",
                "  # Backoff of backend retries"));
        assertThat(withWan30).contains("wan3.0-video");
        ModelCatalog operators = ModelCatalog.from(CatalogFixtures.bindYaml(withWan30),
                dev.wanhybrid.cloud.catalog.ModelCatalog.load(), LocalDate.of(2026, 12, 5));
        RoutingContext ctx = new RoutingContext(operators,
                Map.of("local", new BackendHealth("local", false, "CLOSED", "no GPU", Set.of()),
                        "cloud", BackendHealth.up("cloud")),
                LocalQueueState.IDLE, LatencyObservations.NONE, null, new HashMap<>(), clock.instant());
        GenerationSpec sound480 = new GenerationSpec("acme", "auto", TaskKind.T2V, "a lighthouse at dusk", null,
                new VideoSize(832, 480), 5, null, null, AudioSpec.GENERATED, null, RoutingHints.NONE);

        Route route = new Router().decide(sound480, ctx);

        assertThat(route.chosen().model()).isEqualTo("wan3.0-video");
        assertThat(route.chosen().estimatedCostUsd()).isEqualByComparingTo("0.20");
        assertThat(route.candidates()).extracting(RouteCandidate::model).contains("wan2.5-t2v-preview");
    }
}
