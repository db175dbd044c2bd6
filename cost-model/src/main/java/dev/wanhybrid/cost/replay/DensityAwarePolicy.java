package dev.wanhybrid.cost.replay;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Baseline {@code density-aware}: the {@code cheapest-feasible} rules plus one admission test: a job goes local only when what it saves against the cloud, per
 * GPU-second it occupies, is at least {@code minSavingPerGpuHour}. It keeps the GPUs for the work that saves the
 * most per GPU-second (for example 480p on the 1.3B model) instead of filling them first come, first served with
 * slow, low-saving work (720p on the 14B model), which is what separates the plain rules from the offline optimum.
 */
public final class DensityAwarePolicy extends CheapestFeasiblePolicy {

    private final BigDecimal minSavingPerGpuSecond;

    public DensityAwarePolicy(BigDecimal minSavingPerGpuHour) {
        this.minSavingPerGpuSecond = minSavingPerGpuHour.divide(BigDecimal.valueOf(3600), 12, RoundingMode.HALF_EVEN);
    }

    @Override
    protected boolean admitLocal(TraceJob job, ReplayCatalog.LocalOption option, View view) {
        if (view.cloud().isEmpty()) {
            return true;
        }
        BigDecimal saving = view.cloud().get().price().amount().subtract(option.marginal().amount());
        BigDecimal perSecond = saving.divide(BigDecimal.valueOf(option.gpuSeconds()), 12, RoundingMode.HALF_EVEN);
        return perSecond.compareTo(minSavingPerGpuSecond) >= 0;
    }

    @Override
    public String name() {
        return "density-aware";
    }
}
