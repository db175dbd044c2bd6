package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's cost estimator, from the cost model's figures: cloud models at the DashScope list price in force
 * today for the configured region (the cost model's dated list, read through the cloud adapter's catalog, which
 * knows each model's sound and regional name), local models at the marginal cost of their predicted GPU-seconds on
 * the configured fleet (corrected by measured runs). Where either has no figure (no cloud catalog, a model it does
 * not know, a non-USD region, a local model without a throughput figure) the catalog's own per-second price
 * answers, so an estimate always exists. The router, the replay of the router and the settlement of cloud work
 * ({@link #listPricePerSecond}) all price through this class.
 */
public final class CostModelEstimator implements CostEstimator {

    private final dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices;
    private final LocalCostModel local;
    private final Clock clock;
    private final ServiceTimeModel serviceTimes;
    /** What each cloud source pays, by backend id; the default account is {@code cloud}. */
    private final Map<String, CloudSourcePrices> sources;

    /**
     * @param cloudPrices the cloud adapter's model catalog, or {@code null} to price cloud models from the catalog
     * @param region the region whose list prices cloud work
     * @param local the cost model's local cost, or {@code null} to price local models from the catalog
     * @param clock whose date picks the price in force
     */
    public CostModelEstimator(dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices, Region region,
            LocalCostModel local, Clock clock) {
        this(cloudPrices, region, local == null ? null : ServiceTimeModel.withDefaults(local), clock, null);
    }

    /**
     * As the constructor, with the local service times (and their margins) from {@code serviceTimes}, whose cost
     * model also prices local work; {@code null} prices and times local models from the catalog.
     */
    public static CostModelEstimator withServiceTimes(dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices,
            Region region, ServiceTimeModel serviceTimes, Clock clock) {
        return new CostModelEstimator(cloudPrices, region, serviceTimes, clock, null);
    }

    /**
     * This estimator with the account's own prices (contract prices, discounts, in the cost model's price-list
     * format): a line of the account's in force on a day wins over the list's for that model, tier and sound,
     * so the router, the reservations and the settlement price what the account actually pays.
     */
    public CostModelEstimator withAccountPrices(CloudPriceTable prices) {
        CloudSourcePrices primary = sources.get(Backend.CLOUD.id());
        return withSource(new CloudSourcePrices(primary.backend(), primary.region(), prices, primary.usdPerCny()));
    }

    /**
     * This estimator pricing the cloud source {@code source.backend()} by its own region, account prices and CNY
     * rate ({@code cloud} replaces the default account's); a model on that backend is priced by it.
     */
    public CostModelEstimator withSource(CloudSourcePrices source) {
        Map<String, CloudSourcePrices> all = new LinkedHashMap<>(sources);
        all.put(source.backend(), source);
        return new CostModelEstimator(cloudPrices, serviceTimes, clock, all);
    }

    private CostModelEstimator(dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices, Region region,
            ServiceTimeModel serviceTimes, Clock clock, CloudPriceTable accountPrices) {
        this(cloudPrices, serviceTimes, clock,
                Map.of(Backend.CLOUD.id(), new CloudSourcePrices(Backend.CLOUD.id(), region, accountPrices, null)));
    }

    private CostModelEstimator(dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices, ServiceTimeModel serviceTimes,
            Clock clock, Map<String, CloudSourcePrices> sources) {
        this.serviceTimes = serviceTimes;
        this.cloudPrices = cloudPrices;
        this.local = serviceTimes == null ? null : serviceTimes.local();
        this.clock = clock;
        this.sources = Map.copyOf(sources);
    }

    @Override
    public BigDecimal estimateUsd(CatalogModel model, ModelTier tier, int seconds, boolean wantsAudio) {
        Optional<BigDecimal> published = model.isLocal() ? localCost(model, tier, seconds)
                : cloudPrice(model, tier, wantsAudio).map(p -> p.multiply(BigDecimal.valueOf(seconds)));
        return published.map(CostEstimator::normalize)
                .orElseGet(() -> FROM_CATALOG.estimateUsd(model, tier, seconds, wantsAudio));
    }

    @Override
    public Optional<ServiceTime> localServiceTime(CatalogModel model, VideoSize size, int seconds) {
        if (serviceTimes == null || !model.isLocal() || !serviceTimes.knows(model.id())) {
            return Optional.empty();
        }
        return Optional.of(serviceTimes.estimate(model.id(), size.width(), size.height(), seconds));
    }

    /** The list's USD price per second in force today, if it has one for this model, tier and sound. */
    public Optional<BigDecimal> cloudPrice(CatalogModel model, ModelTier tier, boolean wantsAudio) {
        LocalDate today = LocalDate.now(clock);
        return Tier.ofLabel(tier.name())
                .flatMap(t -> listPricePerSecond(model.backend(), model.id(), t, wantsAudio, today));
    }

    /** The default account's USD price per second in force on {@code day} for this model, tier and sound. */
    @Override
    public Optional<BigDecimal> listPricePerSecond(String model, Tier tier, boolean wantsAudio, LocalDate day) {
        return listPricePerSecond(Backend.CLOUD.id(), model, tier, wantsAudio, day);
    }

    /**
     * What the cloud source {@code backend} pays per second, in USD, on {@code day}: its account's line, else its
     * region's list ({@link CloudSourcePrices}); empty for a backend that is no configured source.
     */
    @Override
    public Optional<BigDecimal> listPricePerSecond(String backend, String model, Tier tier, boolean wantsAudio,
            LocalDate day) {
        CloudSourcePrices source = sources.get(backend);
        if (cloudPrices == null || source == null) {
            return Optional.empty();
        }
        return source.usdPerSecond(cloudPrices, model, tier, wantsAudio, day);
    }

    private Optional<BigDecimal> localCost(CatalogModel model, ModelTier tier, int seconds) {
        if (local == null || !local.throughput().knows(model.id())) {
            return Optional.empty();
        }
        VideoSize size = tier.sizes().getFirst();
        Money marginal = local.marginal(local.gpuSeconds(VideoJob.of(model.id(), size.width(), size.height(), seconds,
                false)));
        return Money.USD.equals(marginal.currency()) ? Optional.of(marginal.amount()) : Optional.empty();
    }
}
