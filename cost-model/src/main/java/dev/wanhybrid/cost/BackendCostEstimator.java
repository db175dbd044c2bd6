package dev.wanhybrid.cost;

import dev.wanhybrid.cost.local.LocalCost;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.CloudPriceTable;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * Estimates the cost of one video job on either backend: the cloud list price in force today (in the billing time
 * zone), or the local marginal and fully loaded cost at the fleet's current utilization. The command-line tool's
 * {@code estimate}; the gateway's router has its own {@code CostEstimator} interface over catalog models.
 */
public final class BackendCostEstimator {

    private final CloudPriceTable prices;
    private final LocalCostModel local;
    private final Clock clock;
    private final ZoneId billingZone;

    public BackendCostEstimator(CloudPriceTable prices, LocalCostModel local, Clock clock, ZoneId billingZone) {
        this.prices = Objects.requireNonNull(prices, "prices");
        this.local = Objects.requireNonNull(local, "local");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.billingZone = Objects.requireNonNull(billingZone, "billingZone");
    }

    public CloudPriceTable prices() {
        return prices;
    }

    public LocalCostModel local() {
        return local;
    }

    /** The cloud list price of this job today, or empty when the model does not offer its tier or audio choice. */
    public Optional<CostEstimate> cloud(VideoJob job) {
        LocalDate today = LocalDate.now(clock.withZone(billingZone));
        return prices.costOf(job, today).map(cost -> new CostEstimate(Backend.CLOUD, job.model(), cost, cost, 0));
    }

    /** The local cost of this job at the given utilization, or empty when there is no throughput figure for it. */
    public Optional<CostEstimate> local(VideoJob job, double utilization) {
        if (!local.throughput().knows(job.model())) {
            return Optional.empty();
        }
        LocalCost cost = local.cost(job, utilization);
        return Optional.of(new CostEstimate(Backend.LOCAL, job.model(), cost.marginal(), cost.fullyLoaded(),
                cost.gpuSeconds()));
    }

    public Optional<CostEstimate> estimate(Backend backend, VideoJob job, double localUtilization) {
        return backend == Backend.CLOUD ? cloud(job) : local(job, localUtilization);
    }
}
