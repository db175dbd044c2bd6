package dev.wanhybrid.cost.routing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The routing core for the cost objective: given the local ways and the cheapest cloud way to make one job, the
 * fleet's plan ({@link LocalSchedule}) and recent demand ({@link DemandWindow}), decides whether the job runs
 * locally, and on which model. The gateway's router and the replay both call this one class, so they cannot drift
 * apart.
 *
 * <p>The rule, in order:
 * <ol>
 *   <li>Deadlines first. A local option is <em>admissible</em> when the plan, simulated in deadline order with
 *       pessimistic service times, still finishes it and every admitted job in time ({@link LocalSchedule#admits}).
 *   <li>When the cloud meets the deadline, the job goes local only if an admissible option saves more per
 *       GPU-second than the GPU's <em>shadow price</em>: the saving per GPU-second of the better-paying work
 *       expected while the job holds the GPU, times the pressure on the fleet over that time (0 while GPUs would
 *       idle anyway, rising to 1 as the fleet's capacity over the job's run is committed or wanted by better work).
 *       A job with a distant deadline is admissible far ahead, so it waits in the queue for a quieter hour rather
 *       than going to the cloud.
 *   <li>With hedging on, when the cloud meets the deadline but no option is admissible on pessimistic times, an
 *       option that the plan admits on its expected time is taken <em>hedged</em>: the job carries a hedge point,
 *       its deadline minus the cloud's latency times the rescue margin (1 by default), at which the one running the
 *       plan sends it to the cloud if it has not started or its progress says it will finish late. It still pays the shadow price, and it may not push
 *       any admitted job late (for them it holds its GPU until its deadline at the most).
 *   <li>When the cloud cannot meet the deadline, an admissible local option takes it whatever it saves; failing
 *       that, one that meets the deadline on expected times (a risk, counted as such in the reason); failing that,
 *       the cloud (the deadline is missed either way, and the job does not hold a GPU).
 * </ol>
 */
public final class LocalAdmission {

    /** Saving per GPU-second that stands for a deadline only local work can meet: above any price per second. */
    public static final double DEADLINE_DENSITY = 1.0;

    /** Below this share of the fleet's capacity over a job's run, the GPU's shadow price is zero. */
    public static final double DEFAULT_PRESSURE_KNEE = 0.5;

    /**
     * The default rescue margin: the hedge point leaves the cloud one and a half times its expected latency. At 1
     * (exactly the expected latency) half of a rescue's draws around that median are late; measured in the replay
     * with the cloud's latency spread, 1.5 misses no more deadlines than not hedging on average and costs 0.02-0.05
     * points more than 1 (docs/decisions.md, "Hedging when the cloud's latency varies").
     */
    public static final double DEFAULT_RESCUE_MARGIN = 1.5;

    /** The largest rescue margin accepted: a hedge point earlier than this leaves almost no job time to run. */
    public static final double MAX_RESCUE_MARGIN = 5.0;

    /**
     * A local way to make the job.
     *
     * @param model the local model
     * @param time its service time on one GPU
     * @param marginalUsd its marginal cost
     */
    public record LocalOption(String model, ServiceTime time, BigDecimal marginalUsd) {}

    /**
     * The cheapest cloud way to make the job.
     *
     * @param model the cloud model
     * @param priceUsd its list price
     * @param latencySeconds its expected time to a finished video
     */
    public record CloudOption(String model, BigDecimal priceUsd, double latencySeconds) {}

    /**
     * What to do with one job.
     *
     * @param local whether it runs locally
     * @param model the model chosen (local or cloud); {@code null} when there is no option at all
     * @param reason {@code cheapest} (local saves more than the GPU's shadow price, or the cloud is cheaper),
     *     {@code opportunity_cost} (local would save, but less than better work expected on the GPU),
     *     {@code hedged} (as {@code cheapest}, admitted on its expected time with a hedge point; see
     *     {@link LocalSchedule.Job#hedgeAt()}), {@code local_full} (no local option can be admitted in time), {@code deadline} (only local meets the
     *     deadline), {@code deadline_at_risk} (only local might meet it, on expected times), {@code deadline_missed}
     *     (nothing meets it), {@code cloud_only} (no local option)
     * @param shadowPricePerGpuSecond the shadow price the local option was weighed against, USD per GPU-second
     * @param job the planned job, when local: enqueue it in the plan
     */
    public record Verdict(boolean local, String model, String reason, double shadowPricePerGpuSecond,
            LocalSchedule.Job job) {}

    private final double pressureKnee;
    private final boolean hedging;
    private final double rescueMargin;

    /** The default: the default pressure knee, no hedging. */
    public LocalAdmission() {
        this(DEFAULT_PRESSURE_KNEE, false);
    }

    public LocalAdmission(double pressureKnee) {
        this(pressureKnee, false);
    }

    /**
     * @param hedging whether a job whose pessimistic time does not fit may run locally hedged (the caller then
     *     moves it to the cloud at its hedge point when it would be late; see {@link LocalSchedule.Job#hedgeAt()})
     */
    public LocalAdmission(double pressureKnee, boolean hedging) {
        this(pressureKnee, hedging, DEFAULT_RESCUE_MARGIN);
    }

    /**
     * @param rescueMargin how many times the cloud's expected latency a hedge point leaves before the deadline, from
     *     1 to {@value #MAX_RESCUE_MARGIN}: above 1 a rescued job still meets its deadline when the cloud is that
     *     much slower than expected, and a run that will be late leaves the GPU sooner
     */
    public LocalAdmission(double pressureKnee, boolean hedging, double rescueMargin) {
        if (!(pressureKnee >= 0 && pressureKnee < 1)) {
            throw new IllegalArgumentException("pressure knee must be in [0, 1), was " + pressureKnee);
        }
        if (!(rescueMargin >= 1 && rescueMargin <= MAX_RESCUE_MARGIN)) {
            throw new IllegalArgumentException("rescue margin must be between 1 and " + MAX_RESCUE_MARGIN + ", was "
                    + rescueMargin);
        }
        this.pressureKnee = pressureKnee;
        this.hedging = hedging;
        this.rescueMargin = rescueMargin;
    }

    /** This rule with hedging on or off. */
    public LocalAdmission withHedging(boolean on) {
        return new LocalAdmission(pressureKnee, on, rescueMargin);
    }

    /** This rule with hedge points that leave {@code margin} times the cloud's latency before the deadline. */
    public LocalAdmission withRescueMargin(double margin) {
        return new LocalAdmission(pressureKnee, hedging, margin);
    }

    public boolean hedging() {
        return hedging;
    }

    public double rescueMargin() {
        return rescueMargin;
    }

    /**
     * Decides one job and records it in {@code demand}; the caller enqueues {@link Verdict#job()} when local.
     *
     * @param id the job's id in the plan
     * @param now the decision time on the plan's clock
     * @param deadlineSeconds seconds from now to the deadline
     * @param local the local options, preferred first (fewest GPU-seconds)
     */
    public Verdict decide(long id, double now, double deadlineSeconds, List<LocalOption> local,
            Optional<CloudOption> cloud, LocalSchedule plan, DemandWindow demand) {
        double due = now + deadlineSeconds;
        boolean cloudMeets = cloud.isPresent() && cloud.get().latencySeconds() <= deadlineSeconds;
        LocalOption best = local.isEmpty() ? null : local.getFirst();
        if (best != null) {
            demand.record(now, density(best, cloud, cloudMeets), best.time().expectedSeconds());
        }
        if (local.isEmpty() || plan.gpus() == 0) {
            return cloud.map(c -> new Verdict(false, c.model(), cloudMeets ? "cloud_only" : "deadline_missed", 0,
                    null)).orElseGet(() -> new Verdict(false, null, "deadline_missed", 0, null));
        }
        for (LocalOption o : local) {
            LocalSchedule.Job job = new LocalSchedule.Job(id, due, o.time());
            if (!plan.admits(job, now)) {
                continue;
            }
            if (!cloudMeets) {
                return new Verdict(true, o.model(), "deadline", 0, job);
            }
            return weigh(now, o, job, "cheapest", cloud.get(), plan, demand);
        }
        if (cloudMeets && hedging) {
            double hedgeAt = due - cloud.get().latencySeconds() * rescueMargin;
            for (LocalOption o : local) {
                LocalSchedule.Job job = new LocalSchedule.Job(id, due, o.time(), hedgeAt);
                if (hedgeAt > now && plan.admits(job, now)) {
                    return weigh(now, o, job, "hedged", cloud.get(), plan, demand);
                }
            }
        }
        if (cloudMeets) {
            return new Verdict(false, cloud.get().model(), "local_full", 0, null);
        }
        for (LocalOption o : local) {
            LocalSchedule.Job job = new LocalSchedule.Job(id, due, o.time());
            if (plan.plannedFinish(job, now, false) <= due) {
                return new Verdict(true, o.model(), "deadline_at_risk", 0, job);
            }
        }
        return cloud.map(c -> new Verdict(false, c.model(), "deadline_missed", 0, null))
                .orElseGet(() -> new Verdict(true, best.model(), "deadline_missed", 0,
                        new LocalSchedule.Job(id, due, best.time())));
    }

    /** An admissible local option against the cloud that meets the deadline: its saving per GPU-second must beat the shadow price. */
    private Verdict weigh(double now, LocalOption o, LocalSchedule.Job job, String reason, CloudOption cloud,
            LocalSchedule plan, DemandWindow demand) {
        BigDecimal saving = cloud.priceUsd().subtract(o.marginalUsd());
        if (saving.signum() <= 0) {
            return new Verdict(false, cloud.model(), "cheapest", 0, null);
        }
        double density = saving.doubleValue() / o.time().expectedSeconds();
        double price = shadowPrice(now, density, o.time(), plan, demand);
        return density > price ? new Verdict(true, o.model(), reason, price, job)
                : new Verdict(false, cloud.model(), "opportunity_cost", price, null);
    }

    /**
     * The opportunity cost of one GPU-second for a job of this density and service time: the mean saving per
     * GPU-second of the better-paying work that arrived recently, times the pressure on the fleet over the job's
     * run (committed work that must run in it, plus better work expected in it at the recent rate, plus the job
     * itself, over the fleet's capacity in that time), ramped from 0 at the knee to 1 at full.
     */
    public double shadowPrice(double now, double density, ServiceTime time, LocalSchedule plan,
            DemandWindow demand) {
        DemandWindow.Above above = demand.above(now, density);
        if (above.meanDensity() == 0) {
            return 0;
        }
        double run = time.pessimisticSeconds();
        double capacity = plan.gpus() * run;
        double pressure = (plan.committedWithin(now, run) + above.gpus() * run + run) / capacity;
        double ramp = Math.max(0, Math.min(1, (pressure - pressureKnee) / (1 - pressureKnee)));
        return above.meanDensity() * ramp;
    }

    private static double density(LocalOption o, Optional<CloudOption> cloud, boolean cloudMeets) {
        if (!cloudMeets) {
            return DEADLINE_DENSITY;
        }
        double saving = cloud.get().priceUsd().subtract(o.marginalUsd()).doubleValue();
        return Math.max(0, saving) / o.time().expectedSeconds();
    }
}
