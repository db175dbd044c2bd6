package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.gateway.generation.VideoSize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The immutable catalog of models the router chooses from, built from {@link CatalogProperties}. */
public final class ModelCatalog {

    private final Map<String, CatalogModel> models;

    public ModelCatalog(List<CatalogModel> models) {
        var byId = new LinkedHashMap<String, CatalogModel>();
        for (CatalogModel m : models) {
            if (byId.put(m.id(), m) != null) {
                throw new IllegalArgumentException("model id '" + m.id() + "' is listed twice");
            }
        }
        this.models = java.util.Collections.unmodifiableMap(byId);
    }

    /** Converts the bound configuration; sizes are parsed here, so a bad size names its key. */
    public static ModelCatalog from(CatalogProperties properties) {
        var list = new ArrayList<CatalogModel>();
        for (CatalogProperties.ModelProperties p : properties.allModels()) {
            var tiers = new ArrayList<ModelTier>();
            p.tiers().forEach((name, t) -> tiers.add(new ModelTier(name,
                    t.sizes().stream().map(s -> CatalogProperties.parseSize(p.id(), "tiers." + name, s)).toList(),
                    t.usdPerSecond(), t.silentUsdPerSecond(), t.serviceTimePerSecond())));
            list.add(new CatalogModel(p.id(), p.backend(), p.kinds(), new TreeSet<>(p.seconds()),
                    p.defaultSeconds(), p.fps(), p.audio(), p.quality(), VideoSize.parse(p.defaultSize()), tiers,
                    p.lora()));
        }
        return new ModelCatalog(list);
    }

    public Optional<CatalogModel> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /** All models in configuration order. */
    public List<CatalogModel> models() {
        return List.copyOf(models.values());
    }

    public List<CatalogModel> modelsOf(String backend) {
        return models.values().stream().filter(m -> m.backend().equals(backend)).toList();
    }

    /** Every size some model serves; used in error messages that tell the caller what would work. */
    public List<VideoSize> allSizes() {
        return models.values().stream().flatMap(m -> m.allSizes().stream()).distinct().toList();
    }
}
