package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.CloudPrice;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Estimates from the published data of the other modules: the cloud adapter's dated DashScope price table for
 * cloud models, and the cost model's local marginal cost (predicted GPU-seconds times the fleet's marginal rate)
 * for local ones. Where either has no figure (a model it does not know, a non-USD region) the catalog's own
 * per-second price answers, so an estimate always exists.
 */
public final class PublishedPriceEstimator implements CostEstimator {

    private final dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices;
    private final Region region;
    private final LocalCostModel local;
    private final Clock clock;

    /**
     * @param cloudPrices the cloud adapter's model catalog, or {@code null}
     * @param local the cost model's local cost, or {@code null}
     */
    public PublishedPriceEstimator(dev.wanhybrid.cloud.catalog.ModelCatalog cloudPrices, Region region,
            LocalCostModel local, Clock clock) {
        this.cloudPrices = cloudPrices;
        this.region = region;
        this.local = local;
        this.clock = clock;
    }

    @Override
    public BigDecimal estimateUsd(CatalogModel model, ModelTier tier, int seconds, boolean wantsAudio) {
        Optional<BigDecimal> published = model.isLocal() ? localCost(model, tier, seconds)
                : cloudPrice(model, tier, wantsAudio).map(p -> p.multiply(BigDecimal.valueOf(seconds)));
        return published.map(CostEstimator::normalize)
                .orElseGet(() -> FROM_CATALOG.estimateUsd(model, tier, seconds, wantsAudio));
    }

    /** The price table's USD price per second in force today, if it has one for this model, tier and sound. */
    public Optional<BigDecimal> cloudPrice(CatalogModel model, ModelTier tier, boolean wantsAudio) {
        if (cloudPrices == null) {
            return Optional.empty();
        }
        LocalDate today = LocalDate.now(clock);
        return Tier.ofLabel(tier.name()).flatMap(t -> cloudPrices.price(model.id(), region, t, wantsAudio, today)
                // A model whose output always has sound has no separate silent price.
                .or(() -> cloudPrices.price(model.id(), region, t, true, today)))
                .map(CloudPrice::perSecond)
                .filter(p -> Money.USD.equals(p.currency()))
                .map(Money::amount);
    }

    private Optional<BigDecimal> localCost(CatalogModel model, ModelTier tier, int seconds) {
        if (local == null || !local.throughput().knows(model.id())) {
            return Optional.empty();
        }
        VideoSize size = tier.sizes().getFirst();
        Money marginal = local.marginal(local.gpuSeconds(VideoJob.of(model.id(), size.width(), size.height(), seconds,
                false)));
        return "USD".equals(marginal.currency().getCurrencyCode()) ? Optional.of(marginal.amount()) : Optional.empty();
    }
}
