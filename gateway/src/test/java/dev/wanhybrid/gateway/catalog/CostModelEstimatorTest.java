package dev.wanhybrid.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CostModelEstimatorTest {

    private static final Clock TODAY = Clock.fixed(Instant.parse("2026-11-22T04:00:00Z"), ZoneOffset.UTC);
    private final ModelCatalog catalog = CatalogFixtures.shipped();
    private final dev.wanhybrid.cloud.catalog.ModelCatalog published = dev.wanhybrid.cloud.catalog.ModelCatalog.load();
    private final CostModelEstimator estimator = new CostModelEstimator(published, Region.INTERNATIONAL,
            null, TODAY);

    @Test
    void catalogCloudPricesAgreeWithTheCloudAdaptersPriceTable() {
        // Settlement reads the catalog and routing reads the price table: they must not drift apart.
        for (CatalogModel model : catalog.modelsOf("cloud")) {
            for (ModelTier tier : model.tiers()) {
                for (boolean audio : new boolean[] {true, false}) {
                    assertThat(estimator.cloudPrice(model, tier, audio))
                            .as("%s %s audio=%s", model.id(), tier.name(), audio)
                            .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo(tier.usdPerSecond(audio)));
                }
            }
        }
    }

    @Test
    void cloudEstimateIsThePublishedPriceTimesTheLength() {
        CatalogModel flash = catalog.find("wan2.6-i2v-flash").orElseThrow();
        ModelTier hd = flash.tiers().stream().filter(t -> t.name().equals("1080p")).findFirst().orElseThrow();

        assertThat(estimator.estimateUsd(flash, hd, 10, false)).isEqualByComparingTo("0.375");
        assertThat(estimator.estimateUsd(flash, hd, 10, true)).isEqualByComparingTo("0.75");
    }

    @Test
    void withoutPublishedDataTheCatalogPriceAnswers() {
        var bare = new CostModelEstimator(null, Region.INTERNATIONAL, null, TODAY);
        CatalogModel local = catalog.find("wan2.1-t2v-1.3b").orElseThrow();

        assertThat(bare.estimateUsd(local, local.tiers().getFirst(), 5, false)).isEqualByComparingTo(new BigDecimal(
                "0.005"));
    }

    @Test
    void localModelsCostTheirMarginalGpuTimeAndANonUsdRegionFallsBackToTheCatalog() {
        // An owned GPU drawing 600 W above idle: every GPU-second costs something.
        LocalCostModel local = new LocalCostModel(new GpuFleet("h100", 1, new FleetCost.Owned(Money.usd("25000"),
                new BigDecimal("4"), new BigDecimal("700"), new BigDecimal("100"), Money.usd("0.12"),
                new BigDecimal("1.5"), Money.usd("0"), Money.usd("0"))), LocalConfigLoader.defaultThroughput());
        var mainland = new CostModelEstimator(published, Region.MAINLAND, local, TODAY);
        CatalogModel small = catalog.find("wan2.1-t2v-1.3b").orElseThrow();
        BigDecimal marginal = local.marginal(local.gpuSeconds(VideoJob.of(small.id(), 832, 480, 5, false))).amount();
        CatalogModel t2v = catalog.find("wan2.6-t2v").orElseThrow();

        assertThat(mainland.estimateUsd(small, small.tiers().getFirst(), 5, false)).isPositive()
                .isEqualByComparingTo(CostEstimator.normalize(marginal));
        assertThat(mainland.listPricePerSecond("wan2.6-t2v", Tier.P720, true, LocalDate.of(2026, 11, 22))).isEmpty();
        assertThat(mainland.estimateUsd(t2v, t2v.tiers().getFirst(), 5, true)).isEqualByComparingTo("0.5");
    }
}
