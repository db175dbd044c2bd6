package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.Tier;
import dev.wanhybrid.cost.VideoJob;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.price.CloudPriceTable;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.ServiceTime;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
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

    /** A local way to make a job: predicted GPU-seconds with their margin, and marginal cost. */
    public record LocalOption(String model, ServiceTime time, Money marginal) {

        public double gpuSeconds() {
            return time.expectedSeconds();
        }

        /** The routing core's view of this option. */
        public LocalAdmission.LocalOption toAdmission() {
            return new LocalAdmission.LocalOption(model, time, marginal.amount());
        }
    }

    /** A cloud way to make a job: its price (the list's, or the account's line over it) and expected latency. */
    public record CloudOption(String model, Money price, Duration latency) {

        /** The routing core's view of this option. */
        public LocalAdmission.CloudOption toAdmission() {
            return new LocalAdmission.CloudOption(model, price.amount(), latency.toMillis() / 1000.0);
        }
    }

    private final List<LocalModel> localModels;
    private final List<CloudModel> cloudModels;
    private final CloudPriceTable prices;
    private final LocalCostModel local;
    private final ServiceTimeModel serviceTimes;
    private final Duration cloudLatencyPerSecond;
    private final ZoneId billingZone;

    public ReplayCatalog(List<LocalModel> localModels, List<CloudModel> cloudModels, CloudPriceTable prices,
            ServiceTimeModel serviceTimes, Duration cloudLatencyPerSecond, ZoneId billingZone) {
        this.localModels = List.copyOf(localModels);
        this.cloudModels = List.copyOf(cloudModels);
        this.prices = prices;
        this.local = serviceTimes.local();
        this.serviceTimes = serviceTimes;
        this.cloudLatencyPerSecond = cloudLatencyPerSecond;
        this.billingZone = billingZone;
    }

    public LocalCostModel local() {
        return local;
    }

    public ServiceTimeModel serviceTimes() {
        return serviceTimes;
    }

    /** Every local model that can make this job, cheapest in GPU time first. */
    public List<LocalOption> localOptions(TraceJob job) {
        List<LocalOption> out = new ArrayList<>();
        Tier tier = Tier.ofSize(job.width(), job.height());
        for (LocalModel m : localModels) {
            if (!job.audio() && m.kind().equals(job.kind()) && m.tiers().contains(tier) && job.seconds() <= m.maxSeconds()
                    && serviceTimes.knows(m.model())) {
                ServiceTime time = serviceTimes.estimate(m.model(), job.width(), job.height(), job.seconds());
                out.add(new LocalOption(m.model(), time, local.marginal(time.expectedSeconds())));
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

    /** The cheapest cloud model that can make this job at the price in force on the job's day (account lines first). */
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
