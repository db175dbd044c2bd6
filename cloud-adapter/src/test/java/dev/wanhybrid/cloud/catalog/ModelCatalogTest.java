package dev.wanhybrid.cloud.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPrice;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);
    private static final LocalDate FIRST_LISTED = LocalDate.of(2025, 9, 1);
    private final ModelCatalog catalog = ModelCatalog.load();

    @Test
    void loadsEveryDocumentedModelWithItsKindAndAudio() {
        assertThat(catalog.version()).isEqualTo("2026-12-05.1");
        assertThat(catalog.find("wan2.6-t2v")).get().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(ModelKind.T2V);
            assertThat(m.audio()).isEqualTo(AudioSupport.ALWAYS);
            assertThat(m.durations()).contains(2, 15).doesNotContain(1, 16);
        });
        assertThat(catalog.find("wanx2.1-t2v-turbo")).get().extracting(CloudModel::id).isEqualTo("wan2.1-t2v-turbo");
        assertThat(catalog.find("wan2.1-i2v-turbo").orElseThrow().durations()).containsExactly(3, 4, 5);
    }

    @Test
    void pricesAreDatedPerSecondAmountsWithACurrency() {
        CloudPrice p = catalog.price("wan2.6-t2v", Region.INTERNATIONAL, Tier.P1080, true, TODAY).orElseThrow();
        assertThat(p.perSecond().amount()).isEqualByComparingTo("0.15");
        assertThat(p.perSecond().currency().getCurrencyCode()).isEqualTo("USD");
        assertThat(p.effectiveFrom()).isEqualTo(FIRST_LISTED);
        assertThat(catalog.price("wan2.6-t2v", Region.MAINLAND, Tier.P720, true, TODAY).orElseThrow())
                .satisfies(cn -> {
                    assertThat(cn.perSecond().amount()).isEqualByComparingTo("0.6");
                    assertThat(cn.perSecond().currency().getCurrencyCode()).isEqualTo("CNY");
                });
        // The international list is in force from 2025-09-01 (see dashscope-international.yaml).
        assertThat(catalog.price("wan2.6-t2v", Region.INTERNATIONAL, Tier.P1080, true, FIRST_LISTED.minusDays(1)))
                .isEmpty();
        assertThat(catalog.price("wan2.6-t2v", Region.MAINLAND, Tier.P720, true, TODAY.minusDays(1))).isEmpty();
    }

    @Test
    void theFlashModelIsCheaperWhenSilent() {
        assertThat(catalog.price("wan2.6-i2v-flash", Region.INTERNATIONAL, Tier.P720, false, TODAY).orElseThrow()
                .perSecond().amount()).isEqualByComparingTo("0.025");
        assertThat(catalog.price("wan2.6-i2v-flash", Region.INTERNATIONAL, Tier.P720, true, TODAY).orElseThrow()
                .perSecond().amount()).isEqualByComparingTo("0.05");
    }

    @Test
    void theSoundAModelMakesDecidesItsPriceWhateverTheFlagSays() {
        // Silent-only and always-sound models have one price; the US is billed by the international list.
        assertThat(catalog.price("wan2.2-t2v-plus", Region.INTERNATIONAL, Tier.P480, true, TODAY).orElseThrow()
                .perSecond()).isEqualTo(Money.usd("0.02"));
        assertThat(catalog.price("wan2.6-t2v", Region.US, Tier.P720, false, TODAY).orElseThrow().perSecond())
                .isEqualTo(Money.usd("0.10"));
        assertThat(catalog.price("wanx2.1-t2v-turbo", Region.INTERNATIONAL, Tier.P480, false, TODAY).orElseThrow()
                .model()).isEqualTo("wan2.1-t2v-turbo");
        assertThat(catalog.price("wan2.6-i2v-flash", Region.MAINLAND, Tier.P720, false, TODAY)).isEmpty();
    }

    @Test
    void aCatalogWithItsOwnPricesIsRefused() {
        String yaml = """
                version: x
                tiers: {720P: ["1280*720"]}
                models: []
                prices:
                  - {region: INTERNATIONAL, currency: USD, effective-from: 2026-11-22, models: {}}
                """;
        assertThatThrownBy(() -> ModelCatalog.load(new java.io.ByteArrayInputStream(
                yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .hasMessageContaining("prices").hasMessageContaining("dashscope-international.yaml");
    }

    @Test
    void anEstimateIsUnitPriceTimesSeconds() {
        Money m = catalog.estimate(VideoRequest.builder("wan2.6-t2v").prompt("x").size("1280*720").duration(10)
                .build(), Region.INTERNATIONAL, TODAY).orElseThrow();
        assertThat(m.amount()).isEqualByComparingTo("1.00");
        assertThat(m.currency().getCurrencyCode()).isEqualTo("USD");
    }

    @Test
    void violationsNameTheFieldAndWhatIsAccepted() {
        assertThat(catalog.validate(VideoRequest.builder("wan2.5-t2v-preview").prompt("x").duration(7).build(), true))
                .singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("parameters.duration");
                    assertThat(v.message()).contains("7").contains("[5, 10]");
                });
        assertThat(catalog.validate(VideoRequest.builder("wan2.2-i2v-plus").imgUrl("https://x/y.png")
                .audioUrl("https://x/a.mp3").build(), true))
                .extracting(Violation::field).containsExactly("input.audio_url");
        assertThat(catalog.validate(VideoRequest.builder("wan2.6-t2v").prompt("x").audio(false).build(), true))
                .extracting(Violation::field).containsExactly("parameters.audio");
        assertThat(catalog.validate(VideoRequest.builder(null).build(), true))
                .extracting(Violation::code).containsExactly("BadRequest.EmptyModel");
    }

    @Test
    void tiersAreReadFromConcreteSizes() {
        assertThat(catalog.tierOf("1280*720")).contains("720P");
        assertThat(catalog.tierOf("1280x720")).contains("720P");
        assertThat(catalog.tierOf("1000*1000")).isEmpty();
    }
}
