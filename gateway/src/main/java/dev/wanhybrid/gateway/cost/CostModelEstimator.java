package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelTier;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;

/**
 * The router's cost estimate from the cost model: cloud models at the catalog's list price, local models at the
 * marginal cost of their predicted GPU-seconds on the configured fleet (corrected by measured runs). Local models
 * without a throughput figure fall back to the catalog's per-second figure. Used by the replay; the running
 * gateway's router uses the routing package's estimator, which reads the same {@code LocalCostModel} bean.
 */
public final class CostModelEstimator implements CostEstimator {

    private final LocalCostModel local;

    public CostModelEstimator(LocalCostModel local) {
        this.local = local;
    }

    @Override
    public BigDecimal estimateUsd(CatalogModel model, ModelTier tier, int seconds, boolean wantsAudio) {
        if (!model.isLocal() || !local.throughput().knows(model.id()) || tier.sizes().isEmpty()) {
            return FROM_CATALOG.estimateUsd(model, tier, seconds, wantsAudio);
        }
        VideoSize size = tier.sizes().getFirst();
        double gpuSeconds = local.gpuSeconds(VideoJob.of(model.id(), size.width(), size.height(), seconds, false));
        return CostEstimator.normalize(local.marginal(gpuSeconds).amount());
    }
}
