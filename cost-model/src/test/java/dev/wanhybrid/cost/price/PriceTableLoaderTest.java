package dev.wanhybrid.cost.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PriceTableLoaderTest {

    private static final LocalDate DAY = LocalDate.of(2026, 11, 22);

    @Test
    void bundledInternationalTableHasThePublishedPrices() {
        CloudPriceTable table = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);

        assertThat(table.currency().getCurrencyCode()).isEqualTo("USD");
        assertThat(table.costOf(VideoJob.of("wan2.6-t2v", 1280, 720, 10, true), DAY)).contains(Money.usd("1.00"));
        assertThat(table.costOf(VideoJob.of("wan2.2-t2v-plus", 832, 480, 5, false), DAY)).contains(Money.usd("0.10"));
        assertThat(table.costOf(VideoJob.of("wan2.6-i2v-flash", 1920, 1080, 5, false), DAY)).contains(Money.usd("0.1875"));
        assertThat(table.costOf(VideoJob.of("wan2.6-i2v-flash", 1920, 1080, 5, true), DAY)).contains(Money.usd("0.375"));
    }

    @Test
    void silentOnlyModelHasNoPriceForAudio() {
        CloudPriceTable table = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);

        assertThat(table.costOf(VideoJob.of("wan2.2-t2v-plus", 832, 480, 5, true), DAY)).isEmpty();
        assertThat(table.costOf(VideoJob.of("wan2.6-t2v", 832, 480, 5, true), DAY)).as("no 480P tier").isEmpty();
    }

    @Test
    void bundledMainlandTableIsInYuanFromItsEffectiveDate() {
        CloudPriceTable table = PriceTableLoader.dashScope(DashScopePriceList.MAINLAND);

        assertThat(table.currency().getCurrencyCode()).isEqualTo("CNY");
        assertThat(table.find("wan2.6-t2v", Tier.P720, true, DAY).orElseThrow().perSecond())
                .isEqualTo(Money.of("0.6", "CNY"));
        assertThat(table.costOf(VideoJob.of("wan2.2-t2v-plus", 1920, 1080, 5, false), DAY))
                .contains(Money.of("3.50", "CNY"));
        assertThat(table.find("wan2.6-t2v", Tier.P720, true, DAY.minusDays(1))).isEmpty();
        assertThat(table.models()).doesNotContain("wan2.6-i2v-flash");
    }

    @Test
    void bundledInternationalTableIsInForceFromItsFirstListing() {
        CloudPriceTable table = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);

        assertThat(table.find("wan2.6-t2v", Tier.P1080, true, DAY).orElseThrow().effectiveFrom())
                .isEqualTo(LocalDate.of(2025, 9, 1));
        assertThat(table.find("wan2.6-t2v", Tier.P1080, true, LocalDate.of(2026, 10, 1)).orElseThrow())
                .satisfies(p -> {
                    assertThat(p.perSecond()).isEqualTo(Money.usd("0.15"));
                    assertThat(p.effectiveFrom()).isEqualTo(LocalDate.of(2025, 9, 1));
                });
        assertThat(table.find("wan2.6-t2v", Tier.P1080, true, LocalDate.of(2025, 8, 31))).isEmpty();
        assertThat(table.find("wan2.1-kf2v-plus", Tier.P720, false, DAY.minusDays(1))).isEmpty();
        assertThat(table.find("wan2.1-kf2v-plus", Tier.P720, false, DAY).orElseThrow().perSecond())
                .isEqualTo(Money.usd("0.10"));
        assertThat(PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL)).isSameAs(table);
    }

    @Test
    void laterPriceReplacesEarlierOnItsEffectiveDate() throws Exception {
        CloudPriceTable table = load("""
                currency: USD
                prices:
                  - { model: m, effective_from: 2025-01-01, effective_until: 2026-01-01, per_second: { 720P: "0.10" } }
                  - { model: m, effective_from: 2026-01-01, per_second: { 720P: 0.08 } }
                """);

        assertThat(table.find("m", Tier.P720, false, LocalDate.of(2025, 12, 31)).orElseThrow().perSecond())
                .isEqualTo(Money.usd("0.10"));
        assertThat(table.find("m", Tier.P720, false, LocalDate.of(2026, 1, 1)).orElseThrow().perSecond())
                .isEqualTo(Money.usd("0.08"));
        assertThat(table.find("m", Tier.P720, false, LocalDate.of(2024, 12, 31))).isEmpty();
    }

    @Test
    void badValuesAreReportedWithTheirKey() {
        assertThatThrownBy(() -> load("""
                currency: USD
                effective_from: 2025-01-01
                prices:
                  - { model: m, per_second: { 720P: "ten cents" } }
                """)).hasMessageContaining("prices[0].per_second.720P").hasMessageContaining("ten cents");
        assertThatThrownBy(() -> load("""
                currency: DOLLARS
                prices: []
                """)).hasMessageContaining("currency").hasMessageContaining("DOLLARS");
        assertThatThrownBy(() -> load("""
                currency: USD
                prices:
                  - { model: m, per_second: { 720P: "0.1" } }
                """)).hasMessageContaining("prices[0].effective_from is missing");
        assertThatThrownBy(() -> load("""
                currency: USD
                effective_from: 2025-01-01
                prices:
                  - { model: m, per_second: { 4K: "0.1" } }
                """)).hasMessageContaining("prices[0].per_second").hasMessageContaining("4K");
    }

    @Test
    void tableBuiltInCodeRefusesALineInAnotherCurrency() {
        CloudPriceTable.Builder builder = CloudPriceTable.builder(Money.USD);

        assertThatThrownBy(() -> builder.price(new CloudPrice("m", Tier.P720, AudioPricing.ANY,
                Money.of("0.6", "CNY"), LocalDate.of(2025, 1, 1), null))).hasMessageContaining("CNY");
    }

    private static CloudPriceTable load(String yaml) throws Exception {
        return PriceTableLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }
}
