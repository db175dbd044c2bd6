package dev.wanhybrid.gateway.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.SettlementPricer.Settlement;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogSettlementPricerTest {

    private static final LocalCostModel LOCAL = new LocalCostModel(new GpuFleet("h100", 1, new FleetCost.Rented(
            Money.usd("2.40"))), LocalConfigLoader.defaultThroughput());
    private static final GenerationSpec HD_WITH_SOUND = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null,
            VideoSize.parse("1280x720"), 10, null, null, AudioSpec.GENERATED, null, null);

    private static TaskSnapshot succeeded(long billed) {
        return new TaskSnapshot("t", TaskSnapshot.State.SUCCEEDED, 100, null, BigDecimal.valueOf(billed), null, null, null);
    }

    @Test
    void theDatedPriceInForceOnTheSettlementDayWinsOverTheCatalog() {
        LocalDate[] asked = new LocalDate[1];
        CatalogSettlementPricer pricer = new CatalogSettlementPricer(CatalogFixtures.shipped(), LOCAL,
                (model, tier, audio, day) -> {
                    asked[0] = day;
                    return "wan2.6-t2v".equals(model) && Tier.P720 == tier ? Optional.of(new BigDecimal("0.08"))
                            : Optional.empty();
                },
                Clock.fixed(Instant.parse("2026-11-30T17:00:00Z"), ZoneOffset.UTC), java.time.ZoneId.of("Asia/Shanghai"));

        Settlement dated = pricer.price("cloud", new BackendTask("j", "wan2.6-t2v", HD_WITH_SOUND), succeeded(10));
        Settlement fromCatalog = pricer.price("cloud", new BackendTask("k", "wan2.5-t2v-preview", HD_WITH_SOUND),
                succeeded(10));

        assertThat(dated.actualUsd()).isEqualByComparingTo("0.80");
        assertThat(asked[0]).isEqualTo(LocalDate.of(2026, 12, 1));
        assertThat(fromCatalog.actualUsd()).isEqualByComparingTo("1.00");
    }

    @Test
    void failedWorkCostsNothingAndLocalWorkCostsItsMeasuredTime() {
        CatalogSettlementPricer pricer = new CatalogSettlementPricer(CatalogFixtures.shipped(), LOCAL);
        GenerationSpec sd = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null, VideoSize.parse("832x480"), 5,
                null, null, AudioSpec.NONE, null, null);

        Settlement failed = pricer.price("cloud", new BackendTask("j", "wan2.6-t2v", HD_WITH_SOUND),
                new TaskSnapshot("t", TaskSnapshot.State.FAILED, -1, null, BigDecimal.TEN, null, "InternalError", "x"));
        Settlement local = pricer.price("local", new BackendTask("l", "wan2.1-t2v-1.3b", sd),
                new TaskSnapshot("t", TaskSnapshot.State.SUCCEEDED, 100, null, null, new BigDecimal("90"), null, null));

        assertThat(failed.actualUsd()).isEqualByComparingTo("0");
        // A rented GPU that is on anyway: the video adds nothing, and saves the cheapest cloud price of its shape.
        assertThat(local.actualUsd()).isEqualByComparingTo("0");
        assertThat(local.listUsd()).isEqualByComparingTo("0.10");
        assertThat(LOCAL.throughput().correction("wan2.1-t2v-1.3b").samples()).isPositive();
    }

    @Test
    void aLocalClipTheCloudDoesNotOfferIsPricedAsTheSmallestCloudClipThatCoversIt() {
        CatalogSettlementPricer pricer = new CatalogSettlementPricer(CatalogFixtures.shipped(), LOCAL);
        GenerationSpec threeSeconds = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null,
                VideoSize.parse("832x480"), 3, null, null, AudioSpec.NONE, null, null);
        GenerationSpec tiny = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null, VideoSize.parse("256x160"), 1,
                null, null, AudioSpec.NONE, null, null);
        GenerationSpec hd = new GenerationSpec("acme", "auto", TaskKind.T2V, "p", null, VideoSize.parse("1280x720"), 4,
                null, null, AudioSpec.NONE, null, null);

        // No cloud text-to-video model makes 3 s at 480p: wan2.2-t2v-plus's 5 s at $0.02/s is what it would have cost.
        assertThat(pricer.cheapestCloud(threeSeconds, threeSeconds.size())).contains(new BigDecimal("0.10"));
        // 256x160 is below every cloud tier: the 480p one covers it.
        assertThat(pricer.cheapestCloud(tiny, tiny.size()).orElseThrow()).isEqualByComparingTo("0.10");
        // 4 s at 720p silent: wan2.6-t2v makes 4 s (sound it always adds, $0.10/s) against wan2.1-t2v-turbo's 5 s at
        // $0.036/s: the turbo's $0.18 is the cheaper.
        assertThat(pricer.cheapestCloud(hd, hd.size()).orElseThrow()).isEqualByComparingTo("0.18");
    }

    @Test
    void aRentedFleetCarriesItsStaffAndOverheadIntoTheFixedCost() {
        GpuFleet fleet = CostConfiguration.toFleet(new CostProperties.Fleet("a100", 2, "USD",
                new CostProperties.Rented(new BigDecimal("1.50"), new BigDecimal("150000"), new BigDecimal("1000")), null));
        GpuFleet bare = CostConfiguration.toFleet(new CostProperties.Fleet("a100", 2, "USD",
                new CostProperties.Rented(new BigDecimal("1.50"), null, null), null));

        // 2 x 1.50 x 8,760 h = 26,280 of rent; one engineer and the overhead on top.
        assertThat(bare.fixedCostPerYear().amount()).isEqualByComparingTo("26280");
        assertThat(fleet.fixedCostPerYear().amount()).isEqualByComparingTo("177280");
        assertThat(fleet.marginalCostPerGpuSecond().amount()).isEqualByComparingTo("0");
    }
}
