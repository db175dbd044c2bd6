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
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
