package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.catalog.AudioSupport;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.generation.TaskKind;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a cloud model can do is written once, in the cloud adapter's catalog ({@code wan-models.yaml}: kinds,
 * durations, sound, sizes per tier). The gateway's catalog adds only what routing decides (quality, default size,
 * service time per tier); this class fills the rest of a cloud entry from the cloud catalog, translating its
 * words into the gateway's. A value the gateway configuration gives explicitly is kept.
 */
final class CloudCapabilities {

    private final dev.wanhybrid.cloud.catalog.ModelCatalog cloud;

    CloudCapabilities(dev.wanhybrid.cloud.catalog.ModelCatalog cloud) {
        this.cloud = cloud;
    }

    /** The entry with every omitted capability taken from the cloud catalog; a local entry is returned as it is. */
    CatalogProperties.ModelProperties complete(CatalogProperties.ModelProperties p) {
        if (!Backend.CLOUD.is(p.backend())) {
            return p;
        }
        boolean given = p.kinds() != null && p.seconds() != null && p.defaultSeconds() != null
                && p.tiers().values().stream().allMatch(t -> t.sizes() != null);
        Optional<CloudModel> known = cloud.find(p.id()).filter(m -> m.id().equals(p.id()));
        if (known.isEmpty() && given) {
            // A model the cloud catalog does not know (an operator's extra model) is silent unless it says otherwise.
            return p.audio() != null ? p : new CatalogProperties.ModelProperties(p.id(), p.backend(), p.kinds(),
                    p.seconds(), p.defaultSeconds(), p.fps(), Set.of(), p.quality(), p.defaultSize(), p.tiers(),
                    p.lora());
        }
        CloudModel model = known.orElseThrow(() -> new IllegalArgumentException("gateway.catalog.models[" + p.id()
                + "]: the cloud catalog (wan-models.yaml) has no model '" + p.id() + "'; give its kinds, seconds,"
                + " default-seconds and tier sizes"));
        Map<String, CatalogProperties.TierProperties> tiers = new LinkedHashMap<>();
        p.tiers().forEach((name, t) -> tiers.put(name, t.sizes() != null ? t
                : new CatalogProperties.TierProperties(sizes(model, name), t.usdPerSecond(),
                        t.silentUsdPerSecond(), t.serviceTimePerSecond())));
        return new CatalogProperties.ModelProperties(p.id(), p.backend(),
                p.kinds() != null ? p.kinds() : kinds(model),
                p.seconds() != null ? p.seconds() : model.durations(),
                p.defaultSeconds() != null ? p.defaultSeconds() : model.defaultDuration(),
                p.fps(), p.audio() != null ? p.audio() : audio(model), p.quality(), p.defaultSize(), tiers, p.lora());
    }

    private List<String> sizes(CloudModel model, String tier) {
        String label = tier.toUpperCase(Locale.ROOT);
        if (!model.tiers().contains(label)) {
            throw new IllegalArgumentException("gateway.catalog.models[" + model.id() + "].tiers." + tier + ": "
                    + model.id() + " is offered at " + model.tiers() + " only");
        }
        // The cloud writes sizes as the API takes them (832*480); the gateway as its clients do (832x480).
        return cloud.sizes(label).stream().map(s -> s.replace('*', 'x')).toList();
    }

    /**
     * The task kinds the gateway routes that the model's modes cover (wan3.0-video: both); none for a new-protocol
     * model that only does the media modes (r2v, editing), which the router matches by mode.
     */
    private static Set<TaskKind> kinds(CloudModel model) {
        Set<TaskKind> kinds = EnumSet.noneOf(TaskKind.class);
        if (model.supports(VideoMode.TEXT_TO_VIDEO)) {
            kinds.add(TaskKind.T2V);
        }
        if (model.supports(VideoMode.IMAGE_TO_VIDEO)) {
            kinds.add(TaskKind.I2V);
        }
        if (kinds.isEmpty() && !model.usesMedia()) {
            throw new IllegalArgumentException("gateway.catalog.models[" + model.id() + "]: a model that does "
                    + VideoMode.ids(model.modes()) + " has no task kind the gateway routes (t2v, i2v)");
        }
        return kinds;
    }

    private static Set<AudioMode> audio(CloudModel model) {
        Set<AudioMode> modes = EnumSet.noneOf(AudioMode.class);
        if (model.audio() != AudioSupport.NONE) {
            modes.add(AudioMode.GENERATED);
        }
        if (model.audioUrl()) {
            modes.add(AudioMode.URL);
        }
        return modes;
    }
}
