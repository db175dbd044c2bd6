package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.breakeven.BreakEven;
import dev.wanhybrid.cost.breakeven.BreakEvenInputs;
import dev.wanhybrid.cost.breakeven.BreakEvenResult;
import dev.wanhybrid.cost.breakeven.Recommendation;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.gateway.catalog.CatalogModel;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.VideoSize;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** The break-even figures for the configured fleet and reference video, at the catalog's current list price. */
public final class BreakEvenService {

    private final CostProperties.Reference reference;
    private final LocalCostModel local;
    private final ModelCatalog catalog;

    public BreakEvenService(CostProperties.Reference reference, LocalCostModel local, ModelCatalog catalog) {
        this.reference = reference;
        this.local = local;
        this.catalog = catalog;
    }

    public CostProperties.Reference reference() {
        return reference;
    }

    public GpuFleet fleet() {
        return local.fleet();
    }

    public BreakEvenInputs inputs() {
        VideoSize size = VideoSize.parse(reference.size());
        CatalogModel cloud = catalog.find(reference.cloudModel()).orElseThrow(() -> new IllegalStateException(
                "gateway.cost.reference.cloud-model '" + reference.cloudModel() + "' is not in the catalog"));
        BigDecimal perSecond = CatalogSettlementPricer.tierFor(cloud, size)
                .orElseThrow(() -> new IllegalStateException("gateway.cost.reference: " + reference.cloudModel()
                        + " has no tier for " + size))
                .usdPerSecond(false);
        Money api = Money.usd(perSecond.multiply(BigDecimal.valueOf(reference.seconds())));
        VideoJob job = VideoJob.of(reference.localModel(), size.width(), size.height(), reference.seconds(), false);
        double gpuSeconds = local.gpuSeconds(job);
        BigDecimal perGpuCapacity = GpuFleet.SECONDS_PER_MONTH.multiply(reference.targetUtilization())
                .divide(BigDecimal.valueOf(gpuSeconds), 6, RoundingMode.HALF_EVEN);
        BigDecimal twelve = BigDecimal.valueOf(12);
        GpuFleet fleet = local.fleet();
        return new BreakEvenInputs(fleet.sharedFixedCostPerYear().dividedBy(twelve, 10),
                fleet.perGpuFixedCostPerYear().dividedBy(twelve, 10), local.marginal(gpuSeconds), api,
                perGpuCapacity, fleet.count());
    }

    /** The reference clip's local cost at the utilization that {@code observedPerMonth} reference clips would cause. */
    public dev.wanhybrid.cost.local.LocalCost localCostAt(long observedPerMonth) {
        VideoSize size = VideoSize.parse(reference.size());
        VideoJob job = VideoJob.of(reference.localModel(), size.width(), size.height(), reference.seconds(), false);
        double available = local.fleet().gpuSecondsPerMonth().doubleValue();
        double utilization = available == 0 ? 0 : observedPerMonth * local.gpuSeconds(job) / available;
        return local.cost(job, utilization);
    }

    public BreakEvenResult analyze() {
        return BreakEven.analyze(inputs());
    }

    public Recommendation recommend(long observedPerMonth) {
        return BreakEven.recommend(inputs(), BigDecimal.valueOf(observedPerMonth));
    }
}
