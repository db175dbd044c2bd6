package dev.wanhybrid.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PublishedPriceEstimatorTest {

    private static final Clock TODAY = Clock.fixed(Instant.parse("2026-11-22T04:00:00Z"), ZoneOffset.UTC);
    private final ModelCatalog catalog = CatalogFixtures.shipped();
    private final dev.wanhybrid.cloud.catalog.ModelCatalog published = dev.wanhybrid.cloud.catalog.ModelCatalog.load();
    private final PublishedPriceEstimator estimator = new PublishedPriceEstimator(published, Region.INTERNATIONAL,
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
        var bare = new PublishedPriceEstimator(null, Region.INTERNATIONAL, null, TODAY);
        CatalogModel local = catalog.find("wan2.1-t2v-1.3b").orElseThrow();

        assertThat(bare.estimateUsd(local, local.tiers().getFirst(), 5, false)).isEqualByComparingTo(new BigDecimal(
                "0.005"));
    }
}
