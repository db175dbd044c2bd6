package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.catalog.AudioMode;
import dev.wanhybrid.gateway.catalog.CatalogFixtures;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.CatalogProperties;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.catalog.QualityTier;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router's catalog ({@code gateway-routing.yaml}) and the cloud adapter's ({@code wan-models.yaml}) describe the
 * same cloud models: every combination the router may choose for a cloud model is one the adapter will send, and
 * the list prices agree. Exhaustive over every kind, size, duration and sound the router's catalog offers.
 */
class GatewayCatalogAgreesWithCloudCatalogTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);

    private final ModelCatalog cloud = ModelCatalog.load();
    private final dev.wanhybrid.gateway.catalog.ModelCatalog routing = CatalogFixtures.shipped();

    @Test
    void everyCombinationTheRouterMayChooseForACloudModelIsOneTheAdapterSends() throws Exception {
        List<String> refused = new ArrayList<>();
        int checked = 0;
        for (CatalogModel model : routing.modelsOf("cloud")) {
            CloudModel cloudModel = cloud.find(model.id()).orElse(null);
            assertThat(cloudModel).as("cloud catalog lacks %s", model.id()).isNotNull();
            for (TaskKind kind : model.kinds()) {
                for (VideoSize size : model.allSizes()) {
                    for (int seconds : model.seconds()) {
                        for (AudioSpec audio : sounds(model)) {
                            GenerationSpec spec = new GenerationSpec("t", model.id(), kind, "a prompt", null, size,
                                    seconds, null, kind == TaskKind.I2V ? URI.create("https://example.com/a.png")
                                            : null, audio, null, null);
                            checked++;
                            var violations = cloud.validate(
                                    SpecMapping.toRequest(new BackendTask("j", model.id(), spec), cloudModel, cloud,
                                            UploadedImages.NONE), true);
                            if (!violations.isEmpty()) {
                                refused.add(model.id() + " " + kind + " " + size + " " + seconds + "s " + audio
                                        + " -> " + violations.getFirst().message());
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isPositive();
        assertThat(refused).as("combinations the router offers but DashScope would refuse").isEmpty();
    }

    @Test
    void listPricesAgree() {
        List<String> differences = new ArrayList<>();
        for (CatalogModel model : routing.modelsOf("cloud")) {
            for (ModelTier tier : model.tiers()) {
                Tier cloudTier = Tier.ofLabel(tier.name()).orElseThrow();
                for (boolean withAudio : new boolean[] {true, false}) {
                    var price = cloud.price(model.id(), Region.INTERNATIONAL, cloudTier, withAudio, TODAY)
                            .map(p -> p.perSecond().amount());
                    if (price.isEmpty() || price.get().compareTo(tier.usdPerSecond(withAudio)) != 0) {
                        differences.add(model.id() + " " + tier.name() + (withAudio ? "" : " silent") + ": routing "
                                + tier.usdPerSecond(withAudio) + " vs cloud " + price.orElse(null));
                    }
                }
            }
        }
        assertThat(differences).isEmpty();
    }

    /**
     * Not only the shipped entries: for every text- or image-to-video model the cloud catalog lists, an entry that
     * gives only routing fields (every tier the model has) is completed from the cloud catalog, and then the router
     * offers exactly what the adapter sends. Every size of every tier, lengths 1 to 16 s and every sound are tried,
     * so a derivation that offers too little is caught as well as one that offers too much.
     */
    @Test
    void aCloudEntryCompletedFromTheCloudCatalogOffersExactlyWhatTheAdapterSends() throws Exception {
        List<String> disagreements = new ArrayList<>();
        List<VideoSize> everySize = new ArrayList<>(List.of(new VideoSize(1000, 1000)));
        for (String tier : List.of("480P", "720P", "1080P")) {
            cloud.sizes(tier).forEach(s -> everySize.add(VideoSize.parse(s.replace('*', 'x'))));
        }
        int checked = 0;
        int models = 0;
        for (CloudModel cloudModel : cloud.models()) {
            if (cloudModel.kind() != dev.wanhybrid.cloud.catalog.ModelKind.T2V
                    && cloudModel.kind() != dev.wanhybrid.cloud.catalog.ModelKind.I2V) {
                continue;
            }
            models++;
            CatalogModel model = completed(cloudModel);
            TaskKind kind = model.kinds().iterator().next();
            for (VideoSize size : everySize) {
                for (int seconds = 1; seconds <= 16; seconds++) {
                    for (AudioSpec audio : List.of(AudioSpec.NONE, AudioSpec.GENERATED,
                            new AudioSpec.FromUrl(URI.create("https://example.com/track.mp3")))) {
                        boolean offered = model.tierOf(size).isPresent() && model.seconds().contains(seconds)
                                && model.supports(audio);
                        GenerationSpec spec = new GenerationSpec("t", model.id(), kind, "a prompt", null, size,
                                seconds, null, kind == TaskKind.I2V ? URI.create("https://example.com/a.png") : null,
                                audio, null, null);
                        boolean sent = cloud.validate(SpecMapping.toRequest(new BackendTask("j", model.id(), spec),
                                cloudModel, cloud, UploadedImages.NONE), true).isEmpty();
                        checked++;
                        if (offered != sent) {
                            disagreements.add(model.id() + " " + size + " " + seconds + "s " + audio + ": router "
                                    + (offered ? "offers" : "refuses") + ", adapter " + (sent ? "sends" : "refuses"));
                        }
                    }
                }
            }
        }
        assertThat(models).as("t2v and i2v models in the cloud catalog").isGreaterThan(8);
        assertThat(checked).isGreaterThan(5_000);
        assertThat(disagreements).isEmpty();
    }

    /** A routing-only entry for the model (every tier it has, an explicit price), completed from the cloud catalog. */
    private CatalogModel completed(CloudModel m) {
        Map<String, CatalogProperties.TierProperties> tiers = new LinkedHashMap<>();
        for (String tier : m.tiers()) {
            tiers.put(tier.toLowerCase(Locale.ROOT), new CatalogProperties.TierProperties(null, new BigDecimal("0.1"),
                    null, Duration.ofSeconds(30)));
        }
        var entry = new CatalogProperties.ModelProperties(m.id(), "cloud", null, null, null, 30, null,
                QualityTier.STANDARD, cloud.sizes(m.defaultTier()).getFirst().replace('*', 'x'), tiers, false);
        return dev.wanhybrid.gateway.catalog.ModelCatalog.from(new CatalogProperties(List.of(entry), List.of()),
                cloud, TODAY).find(m.id()).orElseThrow();
    }

    private static List<AudioSpec> sounds(CatalogModel model) {
        List<AudioSpec> sounds = new ArrayList<>(List.of(AudioSpec.NONE));
        if (model.audio().contains(AudioMode.GENERATED)) {
            sounds.add(AudioSpec.GENERATED);
        }
        if (model.audio().contains(AudioMode.URL)) {
            sounds.add(new AudioSpec.FromUrl(URI.create("https://example.com/track.mp3")));
        }
        return sounds;
    }
}
