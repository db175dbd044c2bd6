package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.SortedMap;

/**
 * What one strategy cost over a trace.
 *
 * @param strategy the strategy's name
 * @param cloudSpend list price of the jobs sent to the cloud
 * @param localMarginal marginal cost of the jobs run locally
 * @param fleetFixed the fleet's fixed cost over the trace's days (zero for all-cloud, which needs no fleet)
 * @param jobs jobs in the trace
 * @param localJobs jobs run locally
 * @param deadlineHits jobs finished by their deadline
 * @param gpuBusySeconds GPU-seconds of local work
 * @param gpuAvailableSeconds GPU-seconds the fleet had over the trace
 * @param daily cost per day (in the billing zone) and backend: index 0 local (fixed share + marginal), 1 cloud
 * @param dailyMisses deadlines missed, by the day the job arrived
 * @param dailyPeakQueue the most jobs waiting for a GPU at any arrival of the day
 * @param suspensionsForArrivals running jobs suspended for an arriving job (a pre-empting policy; 0 otherwise)
 * @param suspensionsForLatestStarts running jobs suspended for a queued job at its latest start
 */
public record ReplayOutcome(String strategy, Money cloudSpend, Money localMarginal, Money fleetFixed, int jobs,
        int localJobs, int deadlineHits, double gpuBusySeconds, double gpuAvailableSeconds,
        SortedMap<LocalDate, List<Money>> daily, SortedMap<LocalDate, Integer> dailyMisses,
        SortedMap<LocalDate, Integer> dailyPeakQueue, int suspensionsForArrivals, int suspensionsForLatestStarts) {

    public Money total() {
        return cloudSpend.plus(localMarginal).plus(fleetFixed);
    }

    public Money variable() {
        return cloudSpend.plus(localMarginal);
    }

    public BigDecimal deadlineHitRate() {
        return jobs == 0 ? BigDecimal.ONE : BigDecimal.valueOf(deadlineHits).divide(BigDecimal.valueOf(jobs), 4, RoundingMode.HALF_EVEN);
    }

    public double gpuUtilization() {
        return gpuAvailableSeconds == 0 ? 0 : gpuBusySeconds / gpuAvailableSeconds;
    }
}
