package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.SettlementPricer;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * Prices finished tasks: cloud = the provider's billed seconds times the unit price for the model, tier and audio
 * choice in force on the settlement day (from the dated price table when one is given, else the catalog's list
 * price); local = measured GPU-seconds times the fleet's marginal rate. Failed and cancelled tasks cost nothing,
 * except a local run stopped part-way, which costs the GPU time it used.
 * Every measured local run also corrects the throughput model.
 */
public final class CatalogSettlementPricer implements SettlementPricer {

    /** A dated USD price per second: the DashScope list, {@code CostEstimator::listPricePerSecond}. */
    @FunctionalInterface
    public interface DatedPrices {
        /** @return the USD price per second in force on {@code day}, or empty when the table has none */
        Optional<BigDecimal> perSecond(String model, Tier tier, boolean audio, java.time.LocalDate day);

        /** What the cloud source {@code backend} pays (a further source may pay another price than the list). */
        default Optional<BigDecimal> perSecond(String backend, String model, Tier tier, boolean audio,
                java.time.LocalDate day) {
            return perSecond(model, tier, audio, day);
        }

        /** The estimator's prices, per source. */
        static DatedPrices of(dev.wanhybrid.gateway.catalog.CostEstimator estimator) {
            return new DatedPrices() {
                @Override
                public Optional<BigDecimal> perSecond(String model, Tier tier, boolean audio, java.time.LocalDate day) {
                    return estimator.listPricePerSecond(model, tier, audio, day);
                }

                @Override
                public Optional<BigDecimal> perSecond(String backend, String model, Tier tier, boolean audio,
                        java.time.LocalDate day) {
                    return estimator.listPricePerSecond(backend, model, tier, audio, day);
                }
            };
        }
    }

    private final ModelCatalog catalog;
    private final LocalCostModel local;
    private final DatedPrices dated;
    private final java.time.Clock clock;
    private final java.time.ZoneId zone;

    public CatalogSettlementPricer(ModelCatalog catalog, LocalCostModel local) {
        this(catalog, local, (m, t, a, d) -> Optional.empty(), java.time.Clock.systemUTC(), java.time.ZoneOffset.UTC);
    }

    /**
     * @param dated the dated price table to prefer over the catalog
     * @param clock the settlement time
     * @param zone the zone whose date picks the price in force
     */
    public CatalogSettlementPricer(ModelCatalog catalog, LocalCostModel local, DatedPrices dated,
            java.time.Clock clock, java.time.ZoneId zone) {
        this.catalog = catalog;
        this.local = local;
        this.dated = dated;
        this.clock = clock;
        this.zone = zone;
    }

    private java.util.function.Function<String, Optional<dev.wanhybrid.gateway.backend.RemoteLoad>> remote =
            id -> Optional.empty();

    /** Prices the GPU time of remote engines with their own fleets (the cost model's marginal rate). */
    public CatalogSettlementPricer withRemoteEngines(
            java.util.function.Function<String, Optional<dev.wanhybrid.gateway.backend.RemoteLoad>> remoteEngines) {
        this.remote = remoteEngines;
        return this;
    }

    @Override
    public Settlement price(String backend, BackendTask task, TaskSnapshot snapshot) {
        BigDecimal billed = snapshot == null ? null : snapshot.billedSeconds();
        BigDecimal gpu = snapshot == null ? null : snapshot.gpuSeconds();
        if (snapshot != null && snapshot.state() == TaskSnapshot.State.CANCELED && !Backend.isCloud(backend)
                && gpu != null && gpu.signum() > 0 && task != null) {
            // A local run stopped part-way (a hedged job leaving for the cloud): the GPU time it used, at the fleet's
            // rate. It made no video, so it stands for no cloud price (0) and teaches the throughput model nothing.
            return new Settlement(local.marginal(gpu.doubleValue()).amount(), BigDecimal.ZERO, billed, gpu);
        }
        if (snapshot == null || snapshot.state() != TaskSnapshot.State.SUCCEEDED || task == null) {
            return new Settlement(BigDecimal.ZERO, null, billed, gpu);
        }
        GenerationSpec spec = task.spec();
        // The entry of the source that ran it (its tiers carry that source's prices), else the model's first.
        Optional<CatalogModel> model = catalog.find(backend, task.model()).or(() -> catalog.find(task.model()));
        if (Backend.isCloud(backend)) {
            // A provider that reports no usage bills the requested length; DashScope bills exactly that.
            BigDecimal seconds = billed != null ? billed : BigDecimal.valueOf(spec.seconds());
            boolean audio = spec.audio().wantsAudio();
            Optional<ModelTier> tier = model.flatMap(m -> tierFor(m, sizeOf(spec, m)));
            java.time.LocalDate day = java.time.LocalDate.now(clock.withZone(zone));
            BigDecimal perSecond = tier
                    .flatMap(t -> Tier.ofLabel(t.name())
                            .flatMap(pt -> dated.perSecond(backend, task.model(), pt, audio, day)))
                    .or(() -> tier.map(t -> t.usdPerSecond(audio)))
                    .orElseThrow(() -> new IllegalStateException("no price for cloud model " + task.model()));
            BigDecimal actual = perSecond.multiply(seconds);
            return new Settlement(actual, actual, seconds, gpu);
        }
        BigDecimal gpuSeconds = gpu == null ? BigDecimal.ZERO : gpu;
        Optional<dev.wanhybrid.gateway.backend.RemoteLoad> engine = Backend.LOCAL.is(backend) ? Optional.empty()
                : remote.apply(backend);
        if (engine.isPresent()) {
            // A remote engine's run says nothing about the in-JVM engine's throughput: it is not recorded there.
            VideoSize size = model.map(m -> sizeOf(spec, m)).orElse(spec.size());
            return new Settlement(engine.get().usdForGpuSeconds(gpuSeconds), cheapestCloud(spec, size).orElse(null),
                    billed, gpuSeconds);
        }
        BigDecimal actual = local.marginal(gpuSeconds.doubleValue()).amount();
        VideoSize size = model.map(m -> sizeOf(spec, m)).orElse(spec.size());
        if (gpuSeconds.signum() > 0 && size != null && local.throughput().knows(task.model())) {
            local.throughput().recordMeasured(VideoJob.of(task.model(), size.width(), size.height(), spec.seconds(),
                    spec.audio().wantsAudio()), local.fleet().gpu(), gpuSeconds.doubleValue());
        }
        return new Settlement(actual, cheapestCloud(spec, size).orElse(null), billed, gpuSeconds);
    }

    /**
     * The counterfactual: what the cloud would have charged for this video had there been no GPUs of our own, the
     * cheapest cloud model that does the task kind and sound, at the smallest tier whose short side covers the
     * video's (the exact size where a tier lists it) and the shortest length it offers at least as long as the
     * clip, at the price in force today (the dated list, else the catalog's). A 3-second 480p clip is therefore
     * priced as the 5-second one the cloud would have had to make. Empty only when no cloud model covers the clip
     * at all (longer or larger than anything it offers).
     */
    public Optional<BigDecimal> cheapestCloud(GenerationSpec spec, VideoSize size) {
        if (size == null) {
            return Optional.empty();
        }
        boolean audio = spec.audio().wantsAudio();
        java.time.LocalDate day = java.time.LocalDate.now(clock.withZone(zone));
        BigDecimal best = null;
        for (CatalogModel m : catalog.modelsOf(Backend.CLOUD.id())) {
            if (!m.kinds().contains(spec.kind()) || !m.supports(spec.audio())) {
                continue;
            }
            Optional<Integer> seconds = m.seconds().stream().filter(s -> s >= spec.seconds()).min(Integer::compare);
            if (seconds.isEmpty()) {
                continue;
            }
            for (ModelTier t : coveringTiers(m, size)) {
                BigDecimal perSecond = Tier.ofLabel(t.name()).flatMap(pt -> dated.perSecond(m.id(), pt, audio, day))
                        .orElseGet(() -> t.usdPerSecond(audio));
                BigDecimal price = perSecond.multiply(BigDecimal.valueOf(seconds.get()));
                if (best == null || price.compareTo(best) < 0) {
                    best = price;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The tier listing this exact size, else every tier whose short side (its name, 480p) is at least the size's. */
    private static List<ModelTier> coveringTiers(CatalogModel model, VideoSize size) {
        Optional<ModelTier> exact = model.tierOf(size);
        if (exact.isPresent()) {
            return List.of(exact.get());
        }
        return model.tiers().stream().filter(t -> shortSideOf(t).orElse(0) >= size.shortSide()).toList();
    }

    private static Optional<Integer> shortSideOf(ModelTier tier) {
        String name = tier.name().toLowerCase(java.util.Locale.ROOT);
        if (!name.endsWith("p")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(name.substring(0, name.length() - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static VideoSize sizeOf(GenerationSpec spec, CatalogModel model) {
        return spec.size() != null ? spec.size() : model.defaultSize();
    }

    /** The tier listing this exact size, else the tier named after its short side (480p, 720p, 1080p). */
    static Optional<ModelTier> tierFor(CatalogModel model, VideoSize size) {
        Optional<ModelTier> exact = model.tierOf(size);
        if (exact.isPresent()) {
            return exact;
        }
        String name = size.shortSide() + "p";
        return model.tiers().stream().filter(t -> t.name().equalsIgnoreCase(name)).findFirst();
    }
}
