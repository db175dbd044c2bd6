package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelLifecycle;
import dev.wanhybrid.cloud.catalog.VideoMode;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.price.DashScopePriceList;
import dev.wanhybrid.cost.price.PriceTableLoader;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** The immutable catalog of models the router chooses from, built from {@link CatalogProperties}. */
public final class ModelCatalog {

    /** Notice given before a retirement date: the ops page and the metric warn from this many days ahead. */
    public static final int RETIREMENT_WARNING_DAYS = 30;

    /** The first entry of each model id: the default source's, for a cloud model offered by several. */
    private final Map<String, CatalogModel> models;
    /** Every entry in order: a cloud model offered by several cloud sources has one per source (backend). */
    private final List<CatalogModel> entries;
    private final Map<String, CloudModel> cloudModels;
    private final boolean useSuccessors;
    /** Each entry's {@link CatalogModel#offeredSizes()}, made once: the router says them in every size refusal. */
    private final Map<CatalogModel, String> offeredSizes;

    public ModelCatalog(List<CatalogModel> models) {
        this(models, Map.of(), false);
    }

    /**
     * @param cloudModels the cloud catalog's entries of this catalog's cloud models, whose lifecycle (release,
     *     retirement, successor) they carry
     * @param useSuccessors whether a request that names a retired model runs on its successor (the route says
     *     so) rather than being refused
     */
    public ModelCatalog(List<CatalogModel> models, Map<String, CloudModel> cloudModels, boolean useSuccessors) {
        this.cloudModels = Map.copyOf(cloudModels);
        this.useSuccessors = useSuccessors;
        var byId = new LinkedHashMap<String, CatalogModel>();
        var all = new ArrayList<CatalogModel>();
        for (CatalogModel m : models) {
            CatalogModel first = byId.putIfAbsent(m.id(), m);
            // One id on several cloud sources is the same model bought from several accounts; anything else repeats.
            boolean anotherSource = first != null && first.isCloud() && m.isCloud()
                    && all.stream().noneMatch(e -> e.id().equals(m.id()) && e.backend().equals(m.backend()));
            if (first != null && !anotherSource) {
                throw new IllegalArgumentException("model id '" + m.id() + "' is listed twice");
            }
            all.add(m);
        }
        this.models = java.util.Collections.unmodifiableMap(byId);
        this.entries = List.copyOf(all);
        var sizes = new java.util.HashMap<CatalogModel, String>();
        for (CatalogModel m : all) {
            sizes.put(m, m.offeredSizes());
        }
        this.offeredSizes = sizes;
    }

    /** The sizes {@code m} offers, as {@link CatalogModel#offeredSizes()} writes them (kept for the catalog's own). */
    public String offeredSizes(CatalogModel m) {
        String sizes = offeredSizes.get(m);
        return sizes != null ? sizes : m.offeredSizes();
    }

    /**
     * Converts the bound configuration; sizes are parsed here, so a bad size names its key. A cloud model's omitted
     * capabilities (kinds, seconds, sound, tier sizes) are the cloud catalog's ({@link CloudCapabilities}). A cloud
     * tier that gives no {@code usd-per-second} takes the DashScope international list price (USD, like the whole
     * catalog) in force on {@code day}, and its silent price where the list has a lower one; a cloud tier the list
     * does not price and that gives none fails, naming the key.
     */
    public static ModelCatalog from(CatalogProperties properties, LocalDate day) {
        return from(properties, dev.wanhybrid.cloud.catalog.ModelCatalog.load(), day);
    }

    /** As {@link #from(CatalogProperties, LocalDate)}, with cloud capabilities from the given cloud catalog. */
    public static ModelCatalog from(CatalogProperties properties, dev.wanhybrid.cloud.catalog.ModelCatalog cloudModels,
            LocalDate day) {
        return from(properties, cloudModels, day, java.util.Set.of());
    }

    /**
     * As {@link #from(CatalogProperties, dev.wanhybrid.cloud.catalog.ModelCatalog, LocalDate)}; a local model marked
     * {@code lora: true} applies the LoRAs named in {@code localLoras} (the in-JVM engine's registry).
     */
    public static ModelCatalog from(CatalogProperties properties, dev.wanhybrid.cloud.catalog.ModelCatalog cloudModels,
            LocalDate day, java.util.Set<String> localLoras) {
        CloudPriceTable prices = PriceTableLoader.dashScope(DashScopePriceList.INTERNATIONAL);
        CloudCapabilities cloud = new CloudCapabilities(cloudModels);
        var list = new ArrayList<CatalogModel>();
        var lifecycles = new LinkedHashMap<String, CloudModel>();
        for (CatalogProperties.ModelProperties configured : properties.allModels()) {
            CatalogProperties.ModelProperties p = cloud.complete(configured);
            var tiers = new ArrayList<ModelTier>();
            p.tiers().forEach((name, t) -> tiers.add(tier(p.id(), name, t, prices, day)));
            list.add(new CatalogModel(p.id(), p.backend(), p.kinds(), new TreeSet<>(p.seconds()),
                    p.defaultSeconds(), p.fps(), p.audio(), p.quality(), VideoSize.parse(p.defaultSize()), tiers,
                    p.lora() ? localLoras : java.util.Set.of()));
            if (Backend.CLOUD.is(p.backend())) {
                cloudModels.find(p.id()).filter(m -> m.id().equals(p.id())).ifPresent(m -> lifecycles.put(p.id(), m));
            }
        }
        return new ModelCatalog(list, lifecycles, false);
    }

    /** This catalog with {@code extra} models added (remote engines' models), keeping the cloud models' lifecycle. */
    public ModelCatalog plus(List<CatalogModel> extra) {
        var all = new java.util.ArrayList<>(entries);
        all.addAll(extra);
        return new ModelCatalog(all, cloudModels, useSuccessors);
    }

    /** This catalog, sending a request that names a retired model to its successor when {@code use} is true. */
    public ModelCatalog withSuccessors(boolean use) {
        return new ModelCatalog(entries, cloudModels, use);
    }

    public boolean usesSuccessors() {
        return useSuccessors;
    }

    /**
     * Where a cloud model stands on {@code day} (empty for local models and for cloud models the cloud catalog does
     * not know), with {@link #RETIREMENT_WARNING_DAYS} of notice.
     */
    public Optional<ModelLifecycle> lifecycle(String id, LocalDate day) {
        return Optional.ofNullable(cloudModels.get(id)).map(m -> m.lifecycleOn(day, RETIREMENT_WARNING_DAYS));
    }

    private static ModelTier tier(String model, String name, CatalogProperties.TierProperties t, CloudPriceTable prices,
            LocalDate day) {
        List<VideoSize> sizes = t.sizes().stream().map(s -> CatalogProperties.parseSize(model, "tiers." + name, s))
                .toList();
        BigDecimal perSecond = t.usdPerSecond();
        BigDecimal silent = t.silentUsdPerSecond();
        if (perSecond == null) {
            Optional<BigDecimal> withSound = listed(prices, model, name, true, day);
            Optional<BigDecimal> withoutSound = listed(prices, model, name, false, day);
            // A silent-only model has no price with sound, a model that always has sound one price for both.
            perSecond = withSound.or(() -> withoutSound).orElseThrow(() -> new IllegalArgumentException(
                    "gateway.catalog.models[" + model + "].tiers." + name + ".usd-per-second: the DashScope"
                            + " international price list has no price for " + model + " " + name + " on " + day
                            + "; give usd-per-second"));
            if (silent == null && withoutSound.isPresent() && withoutSound.get().compareTo(perSecond) != 0) {
                silent = withoutSound.get();
            }
        }
        return new ModelTier(name, sizes, perSecond, silent, t.serviceTimePerSecond());
    }

    /**
     * The list's USD price per second, without trailing zeros ({@code 0.1} for the list's {@code "0.10"}), the
     * form the same figure had when the catalog's YAML carried it as a number.
     */
    private static Optional<BigDecimal> listed(CloudPriceTable prices, String model, String tier, boolean audio,
            LocalDate day) {
        return Tier.ofLabel(tier).flatMap(t -> prices.find(model, t, audio, day))
                .map(p -> p.perSecond().amount().stripTrailingZeros());
    }

    /**
     * Whether a model can do {@code mode}: a cloud model the cloud catalog knows as that catalog says; any other
     * model only text- and image-to-video, by its kinds.
     */
    public boolean supportsMode(String id, VideoMode mode) {
        CloudModel cloud = cloudModels.get(id);
        if (cloud != null) {
            return cloud.supports(mode);
        }
        CatalogModel model = models.get(id);
        return model != null && switch (mode) {
            case TEXT_TO_VIDEO -> model.kinds().contains(TaskKind.T2V);
            case IMAGE_TO_VIDEO -> model.kinds().contains(TaskKind.I2V);
            default -> false;
        };
    }

    /** The model with this id (the default source's entry where several cloud sources offer it). */
    public Optional<CatalogModel> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /**
     * The input video seconds a job on this cloud model is reserved for besides its output: each reference or
     * edited video at the longest the model takes, where the model bills input video (the cloud catalog's
     * {@code bills-input-video}); zero for every other model.
     */
    public int reservedInputVideoSeconds(String id, List<dev.wanhybrid.gateway.generation.MediaInput> media) {
        CloudModel cloud = cloudModels.get(id);
        return cloud == null || media.isEmpty() ? 0
                : cloud.reservedInputVideoSeconds(media.stream().map(dev.wanhybrid.gateway.generation.MediaInput::type)
                        .toList());
    }


    /** The entry of this id on {@code backend}, if that backend offers it. */
    public Optional<CatalogModel> find(String backend, String id) {
        return entries.stream().filter(m -> m.id().equals(id) && m.backend().equals(backend)).findFirst();
    }

    /** Every entry of this id: one, or one per cloud source that offers the model, the default source first. */
    public List<CatalogModel> sourcesOf(String id) {
        return entries.stream().filter(m -> m.id().equals(id)).toList();
    }

    /** All models in configuration order; a model several cloud sources offer once per source. */
    public List<CatalogModel> models() {
        return entries;
    }

    public List<CatalogModel> modelsOf(String backend) {
        return entries.stream().filter(m -> m.backend().equals(backend)).toList();
    }

    /** Every size some model serves; used in error messages that tell the caller what would work. */
    public List<VideoSize> allSizes() {
        return entries.stream().flatMap(m -> m.allSizes().stream()).distinct().toList();
    }

    /** Every LoRA name some model applies, sorted: what a request's {@code lora} may name. */
    public java.util.SortedSet<String> loras() {
        return java.util.Collections.unmodifiableSortedSet(models.values().stream()
                .flatMap(m -> m.loras().stream()).collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
    }

    /**
     * The backends some model runs on, in configuration order: {@code local}, {@code cloud} and each remote engine's
     * name; what {@code routing.backend} may pin.
     */
    public java.util.Set<String> backends() {
        var ids = new java.util.LinkedHashSet<String>();
        models.values().forEach(m -> ids.add(m.backend()));
        return java.util.Collections.unmodifiableSet(ids);
    }
}
