package dev.wanhybrid.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

class CatalogPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(CatalogConfiguration.class);

    private static final String[] GOOD_MODEL = {
        "gateway.catalog.models[0].id=wan2.1-t2v-1.3b",
        "gateway.catalog.models[0].backend=local",
        "gateway.catalog.models[0].kinds=t2v",
        "gateway.catalog.models[0].seconds=1,2,3,4,5",
        "gateway.catalog.models[0].default-seconds=5",
        "gateway.catalog.models[0].fps=16",
        "gateway.catalog.models[0].quality=draft",
        "gateway.catalog.models[0].default-size=832x480",
        "gateway.catalog.models[0].tiers.480p.sizes=832x480,480x832",
        "gateway.catalog.models[0].tiers.480p.usd-per-second=0.001",
        "gateway.catalog.models[0].tiers.480p.service-time-per-second=48s",
    };

    private static final String[] CLOUD_MODEL = {
        "gateway.catalog.extra-models[0].id=wan2.6-t2v",
        "gateway.catalog.extra-models[0].backend=cloud",
        "gateway.catalog.extra-models[0].kinds=t2v",
        "gateway.catalog.extra-models[0].seconds=5,10",
        "gateway.catalog.extra-models[0].default-seconds=5",
        "gateway.catalog.extra-models[0].fps=30",
        "gateway.catalog.extra-models[0].quality=premium",
        "gateway.catalog.extra-models[0].default-size=1280x720",
        "gateway.catalog.extra-models[0].tiers.720p.sizes=1280x720",
        "gateway.catalog.extra-models[0].tiers.720p.service-time-per-second=36s",
    };

    @Test
    void shippedCatalogHasTheLocalAndCloudWanModels() {
        ModelCatalog catalog = CatalogFixtures.shipped();

        assertThat(catalog.modelsOf("local")).extracting(CatalogModel::id)
                .containsExactly("wan2.1-t2v-1.3b", "wan2.1-t2v-14b", "wan2.2-ti2v-5b");
        assertThat(catalog.modelsOf("cloud")).extracting(CatalogModel::id).contains("wan2.6-t2v",
                "wan2.5-t2v-preview", "wan2.2-t2v-plus", "wan2.1-t2v-turbo", "wan2.6-i2v", "wan2.6-i2v-flash",
                "wan2.5-i2v-preview");
        CatalogModel small = catalog.find("wan2.1-t2v-1.3b").orElseThrow();
        assertThat(small.fps()).isEqualTo(16);
        assertThat(small.maxSeconds()).isEqualTo(5);
        assertThat(small.supports(AudioSpec.GENERATED)).isFalse();
        assertThat(small.tierOf(new VideoSize(832, 480))).map(ModelTier::name).contains("480p");
        CatalogModel flash = catalog.find("wan2.6-i2v-flash").orElseThrow();
        assertThat(flash.kinds()).containsExactly(TaskKind.I2V);
        ModelTier hd = flash.tierOf(new VideoSize(1920, 1080)).orElseThrow();
        assertThat(hd.usdPerSecond(true)).isEqualByComparingTo("0.075");
        assertThat(hd.usdPerSecond(false)).isEqualByComparingTo("0.0375");
    }

    @Test
    void everyShippedModelCostsSomethingPositivePerSecondAndListsItsDefaultSize() {
        for (CatalogModel m : CatalogFixtures.shipped().models()) {
            assertThat(m.tierOf(m.defaultSize())).as(m.id()).isPresent();
            assertThat(m.tiers()).allSatisfy(t -> assertThat(t.usdPerSecond()).isPositive());
        }
    }

    @Test
    void aValidCatalogStarts() {
        runner.withPropertyValues(GOOD_MODEL).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(ModelCatalog.class).find("wan2.1-t2v-1.3b")).isPresent();
        });
    }

    @Test
    void aMissingBackendFailsAtStartNamingTheKey() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues("gateway.catalog.models[0].backend=gpu")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("gateway.catalog.models[0].backend")
                        .hasMessageContaining("'local' or 'cloud'"));
    }

    @Test
    void aDefaultLengthTheModelCannotProduceFailsAtStartNamingTheKey() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues("gateway.catalog.models[0].default-seconds=8")
                .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("default-seconds")
                        .hasStackTraceContaining("8 is not one of its seconds"));
    }

    @Test
    void aMalformedSizeFailsAtStartNamingTheKey() {
        runner.withPropertyValues(GOOD_MODEL)
                .withPropertyValues("gateway.catalog.models[0].tiers.480p.sizes=832x480,big")
                .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("sizes")
                        .hasStackTraceContaining("'big'"));
    }

    @Test
    void aNegativePriceFailsAtStartNamingTheKey() {
        runner.withPropertyValues(GOOD_MODEL)
                .withPropertyValues("gateway.catalog.models[0].tiers.480p.usd-per-second=-1")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("gateway.catalog").hasMessageContaining("models[0].tiers[480p].usdPerSecond"));
    }

    @Test
    void aCloudTierWithoutAPriceTakesTheDashScopeListPrice() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(CLOUD_MODEL).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ModelTier hd = ctx.getBean(ModelCatalog.class).find("wan2.6-t2v").orElseThrow().tiers().getFirst();
            assertThat(hd.usdPerSecond(true)).isEqualByComparingTo("0.10");
            assertThat(hd.usdPerSecond(false)).isEqualByComparingTo("0.10");
        });
    }

    @Test
    void aCloudTierTheListDoesNotPriceFailsAtStartNamingTheKeyUnlessItGivesAPrice() {
        String[] unlisted = java.util.Arrays.stream(CLOUD_MODEL).map(p -> p.replace("=wan2.6-t2v", "=acme-video"))
                .toArray(String[]::new);
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(unlisted)
                .run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining("gateway.catalog.models[acme-video].tiers.720p.usd-per-second")
                        .hasStackTraceContaining("no price for acme-video"));
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(unlisted)
                .withPropertyValues("gateway.catalog.extra-models[0].tiers.720p.usd-per-second=0.2")
                .run(ctx -> assertThat(ctx.getBean(ModelCatalog.class).find("acme-video").orElseThrow().tiers()
                        .getFirst().usdPerSecond(true)).isEqualByComparingTo("0.2"));
    }

    @Test
    void aLocalTierWithoutItsMarginalCostFailsAtStartNamingTheKey() {
        String[] unpriced = java.util.Arrays.stream(GOOD_MODEL).filter(p -> !p.contains("usd-per-second"))
                .toArray(String[]::new);
        runner.withPropertyValues(unpriced)
                .run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining("gateway.catalog.models[wan2.1-t2v-1.3b].tiers.480p.usd-per-second")
                        .hasStackTraceContaining("required for a local model"));
    }

    @Test
    void aDuplicatedModelIdFailsAtStart() {
        runner.withPropertyValues(GOOD_MODEL)
                .withPropertyValues(java.util.Arrays.stream(GOOD_MODEL).map(p -> p.replace("[0]", "[1]"))
                        .toArray(String[]::new))
                .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("listed twice"));
    }

    /** A cloud entry that says only what routing decides: quality, size, service time. */
    private static final String[] CLOUD_ROUTING_ONLY = {
        "gateway.catalog.extra-models[0].id=wan2.5-t2v-preview",
        "gateway.catalog.extra-models[0].backend=cloud",
        "gateway.catalog.extra-models[0].fps=30",
        "gateway.catalog.extra-models[0].quality=high",
        "gateway.catalog.extra-models[0].default-size=832x480",
        "gateway.catalog.extra-models[0].tiers.480p.service-time-per-second=24s",
    };

    @Test
    void aCloudModelTakesWhatItCanDoFromTheCloudCatalog() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(CLOUD_ROUTING_ONLY).run(ctx -> {
            CatalogModel preview = ctx.getBean(ModelCatalog.class).find("wan2.5-t2v-preview").orElseThrow();
            assertThat(preview.kinds()).containsExactly(TaskKind.T2V);
            assertThat(preview.seconds()).containsExactly(5, 10);
            assertThat(preview.defaultSeconds()).isEqualTo(5);
            assertThat(preview.audio()).containsExactlyInAnyOrder(AudioMode.GENERATED, AudioMode.URL);
            assertThat(preview.tiers()).singleElement().satisfies(t -> {
                assertThat(t.sizes()).containsExactly(new VideoSize(832, 480), new VideoSize(480, 832),
                        new VideoSize(624, 624));
                assertThat(t.usdPerSecond(true)).isEqualByComparingTo("0.05");
            });
        });
    }

    @Test
    void aCloudCapabilityGivenInTheConfigurationOverridesTheCloudCatalog() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(CLOUD_ROUTING_ONLY)
                .withPropertyValues("gateway.catalog.extra-models[0].seconds=5",
                        "gateway.catalog.extra-models[0].audio=generated")
                .run(ctx -> {
                    CatalogModel preview = ctx.getBean(ModelCatalog.class).find("wan2.5-t2v-preview").orElseThrow();
                    assertThat(preview.seconds()).containsExactly(5);
                    assertThat(preview.audio()).containsExactly(AudioMode.GENERATED);
                    assertThat(preview.kinds()).as("still the cloud catalog's").containsExactly(TaskKind.T2V);
                });
    }

    @Test
    void aCloudTierTheModelDoesNotOfferFailsAtStartNamingTheKey() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(CLOUD_ROUTING_ONLY)
                .withPropertyValues("gateway.catalog.extra-models[0].id=wan2.1-t2v-plus")
                .run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining("gateway.catalog.models[wan2.1-t2v-plus].tiers.480p")
                        .hasStackTraceContaining("offered at [720P] only"));
    }

    @Test
    void aCloudModelTheCloudCatalogDoesNotKnowMustSayWhatItCanDo() {
        runner.withPropertyValues(GOOD_MODEL).withPropertyValues(CLOUD_ROUTING_ONLY)
                .withPropertyValues("gateway.catalog.extra-models[0].id=acme-video",
                        "gateway.catalog.extra-models[0].tiers.480p.usd-per-second=0.2")
                .run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining("gateway.catalog.models[acme-video]")
                        .hasStackTraceContaining("has no model 'acme-video'"));
    }

    @Test
    void aLocalModelMustSayWhatItCanDo() {
        String[] noKinds = java.util.Arrays.stream(GOOD_MODEL).filter(p -> !p.contains(".kinds="))
                .toArray(String[]::new);
        runner.withPropertyValues(noKinds).run(ctx -> assertThat(ctx).getFailure()
                .hasStackTraceContaining("gateway.catalog.models[wan2.1-t2v-1.3b].kinds")
                .hasStackTraceContaining("required for a local model"));
    }
}
