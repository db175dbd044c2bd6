package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.CloudPriceTable;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What each model can make, for the replay: local models by kind, tiers and longest clip; cloud models by kind
 * and clip lengths, with their tiers and audio choices taken from the price list.
 */
public final class ReplayCatalog {

    /** A local model and what it makes. */
    public record LocalModel(String model, String kind, Set<Tier> tiers, int maxSeconds) {}

    /** A cloud model and the clip lengths it makes. */
    public record CloudModel(String model, String kind, Set<Integer> seconds) {}

    /** A local way to make a job: GPU-seconds and marginal cost. */
    public record LocalOption(String model, double gpuSeconds, Money marginal) {}

    /** A cloud way to make a job: list price and expected latency. */
    public record CloudOption(String model, Money price, Duration latency) {}

    private final List<LocalModel> localModels;
    private final List<CloudModel> cloudModels;
    private final CloudPriceTable prices;
    private final LocalCostModel local;
    private final Duration cloudLatencyPerSecond;
    private final ZoneId billingZone;

    public ReplayCatalog(List<LocalModel> localModels, List<CloudModel> cloudModels, CloudPriceTable prices,
            LocalCostModel local, Duration cloudLatencyPerSecond, ZoneId billingZone) {
        this.localModels = List.copyOf(localModels);
        this.cloudModels = List.copyOf(cloudModels);
        this.prices = prices;
        this.local = local;
        this.cloudLatencyPerSecond = cloudLatencyPerSecond;
        this.billingZone = billingZone;
    }

    public LocalCostModel local() {
        return local;
    }

    /** Every local model that can make this job, cheapest in GPU time first. */
    public List<LocalOption> localOptions(TraceJob job) {
        List<LocalOption> out = new ArrayList<>();
        Tier tier = Tier.ofSize(job.width(), job.height());
        for (LocalModel m : localModels) {
            if (!job.audio() && m.kind().equals(job.kind()) && m.tiers().contains(tier) && job.seconds() <= m.maxSeconds()
                    && local.throughput().knows(m.model())) {
                double gpu = local.gpuSeconds(VideoJob.of(m.model(), job.width(), job.height(), job.seconds(), false));
                out.add(new LocalOption(m.model(), gpu, local.marginal(gpu)));
            }
        }
        out.sort(java.util.Comparator.comparingDouble(LocalOption::gpuSeconds));
        return out;
    }

    /** A named cloud model's way to make this job, when the price list has a price for it. */
    public Optional<CloudOption> cloudOption(TraceJob job, String model) {
        LocalDate day = job.arrival().atZone(billingZone).toLocalDate();
        return prices.costOf(VideoJob.of(model, job.width(), job.height(), job.seconds(), job.audio()), day)
                .map(price -> new CloudOption(model, price, cloudLatencyPerSecond.multipliedBy(job.seconds())));
    }

    /** The cheapest cloud model that can make this job at its list price on the job's day. */
    public Optional<CloudOption> cheapestCloud(TraceJob job) {
        LocalDate day = job.arrival().atZone(billingZone).toLocalDate();
        CloudOption best = null;
        for (CloudModel m : cloudModels) {
            if (!m.kind().equals(job.kind()) || !m.seconds().contains(job.seconds())) {
                continue;
            }
            Optional<Money> price = prices.costOf(VideoJob.of(m.model(), job.width(), job.height(), job.seconds(),
                    job.audio()), day);
            if (price.isPresent() && (best == null || price.get().compareTo(best.price()) < 0)) {
                best = new CloudOption(m.model(), price.get(), cloudLatencyPerSecond.multipliedBy(job.seconds()));
            }
        }
        return Optional.ofNullable(best);
    }
}
