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
 *
 * <p>With pre-emption on ({@link #withPreemption}, off by default; an experiment of branch router-preempt, not run by
 * the gateway), a job no option is admissible for may take the GPU of a running job that can be suspended (its
 * latent kept) and resume later in time ({@link Verdict#suspend()}): tried before hedging, first for an unhedged
 * admission, then, with hedging on, for a hedged one. The suspension and resume cost
 * {@link #suspendOverheadSeconds()} of GPU time, planned with the resumed run and weighed against the job's saving.
 * With window pricing on as well ({@link #withWindowPricing}), a job admitted on pessimistic times pays the shadow
 * price of its whole window rather than its run, since better work arriving while it runs can suspend it.
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
     *     {@code preempt}, {@code hedged_preempt}, {@code deadline_preempt} (as {@code cheapest}, {@code hedged},
     *     {@code deadline}, on a GPU freed by suspending {@link #suspend()}),
     *     {@code hedged} (as {@code cheapest}, admitted on its expected time with a hedge point; see
     *     {@link LocalSchedule.Job#hedgeAt()}), {@code local_full} (no local option can be admitted in time), {@code deadline} (only local meets the
     *     deadline), {@code deadline_at_risk} (only local might meet it, on expected times), {@code deadline_missed}
     *     (nothing meets it), {@code cloud_only} (no local option)
     * @param shadowPricePerGpuSecond the shadow price the local option was weighed against, USD per GPU-second
     * @param job the planned job, when local: enqueue it in the plan
     * @param suspend a running job to suspend before enqueuing {@code job} ({@link LocalSchedule#suspend}), what is
     *     left of it queued again to resume later; {@code null} for none
     */
    public record Verdict(boolean local, String model, String reason, double shadowPricePerGpuSecond,
            LocalSchedule.Job job, LocalSchedule.Job suspend) {

        public Verdict(boolean local, String model, String reason, double shadowPricePerGpuSecond,
                LocalSchedule.Job job) {
            this(local, model, reason, shadowPricePerGpuSecond, job, null);
        }
    }

    /**
     * GPU-seconds one suspension costs, suspending and resuming together (the latent written and read back, the
     * pipeline warmed up again): planned and charged with the resumed run. The step in progress is not part of it:
     * the suspension waits for the step's end ({@link LocalSchedule#toStepBoundary}), and that time is work done.
     */
    public static final double DEFAULT_SUSPEND_OVERHEAD_SECONDS = 5;

    /**
     * Whether the gateway hedges unless {@code gateway.routing.hedging} says otherwise, and the replay's
     * {@code router} with it. On since stop 35, with the gateway's hedge guard pausing it while the cloud is too slow
     * for a rescue (docs/routing.md).
     */
    public static final boolean DEFAULT_HEDGING = true;

    /**
     * Whether the gateway pre-empts unless {@code gateway.routing.preemption} says otherwise, and the replay's
     * {@code router} with it. On since stop 35, with the start-up check that turns it off for an engine whose suspend
     * and resume do not round-trip on its device (docs/routing.md).
     */
    public static final boolean DEFAULT_PREEMPTION = true;

    private final double pressureKnee;
    private final boolean hedging;
    private final double rescueMargin;
    private final boolean preemption;
    private final double suspendOverhead;
    private final boolean windowPricing;

    /**
     * The rule the gateway runs with its default settings: {@link #DEFAULT_HEDGING}, {@link #DEFAULT_PREEMPTION}, the
     * default margin and overhead. The replay's {@code router}.
     */
    public static LocalAdmission gatewayDefaults() {
        return new LocalAdmission().withHedging(DEFAULT_HEDGING).withPreemptibleWork(DEFAULT_PREEMPTION);
    }

    /** The core's plain rule: the default pressure knee, no hedging, no pre-emption. */
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
        this(pressureKnee, hedging, rescueMargin, false, DEFAULT_SUSPEND_OVERHEAD_SECONDS, false);
    }

    /**
     * @param preemption whether a job no GPU can take in time may take one from a running job that can be suspended
     *     (its latent kept) and resume later, still in time ({@link Verdict#suspend()})
     * @param suspendOverhead GPU-seconds a suspension and its resume cost together
     * @param windowPricing whether a job admitted on pessimistic times is weighed against the pressure over its
     *     whole window (arrival to deadline) rather than over its own run: with pre-emption on, better work that
     *     arrives while it runs suspends it, so it displaces better work only when the window as a whole is short of
     *     room ({@link #shadowPrice(double, double, ServiceTime, double, LocalSchedule, DemandWindow)})
     */
    public LocalAdmission(double pressureKnee, boolean hedging, double rescueMargin, boolean preemption,
            double suspendOverhead, boolean windowPricing) {
        if (!(suspendOverhead >= 0 && Double.isFinite(suspendOverhead))) {
            throw new IllegalArgumentException("suspend overhead must be >= 0 s, was " + suspendOverhead);
        }
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
        this.preemption = preemption;
        this.suspendOverhead = suspendOverhead;
        this.windowPricing = windowPricing;
    }

    /** This rule with hedging on or off. */
    public LocalAdmission withHedging(boolean on) {
        return new LocalAdmission(pressureKnee, on, rescueMargin, preemption, suspendOverhead, windowPricing);
    }

    /** This rule with hedge points that leave {@code margin} times the cloud's latency before the deadline. */
    public LocalAdmission withRescueMargin(double margin) {
        return new LocalAdmission(pressureKnee, hedging, margin, preemption, suspendOverhead, windowPricing);
    }

    /** This rule with pre-emption (suspend and resume of running jobs) on or off ({@link Verdict#suspend()}). */
    public LocalAdmission withPreemption(boolean on) {
        return new LocalAdmission(pressureKnee, hedging, rescueMargin, on, suspendOverhead, windowPricing);
    }

    /**
     * This rule with window pricing on or off: a job admitted on pessimistic times pays the shadow price of its whole
     * window rather than of its run. Meant with {@link #withPreemption pre-emption}, which is what lets better work
     * take its GPU; on its own it lets slack-rich work block better work (measured, docs/decisions.md).
     */
    public LocalAdmission withWindowPricing(boolean on) {
        return new LocalAdmission(pressureKnee, hedging, rescueMargin, preemption, suspendOverhead, on);
    }

    /** Pre-emption with resume and window pricing together, as measured on branch router-preempt. */
    public LocalAdmission withPreemptibleWork(boolean on) {
        return withPreemption(on).withWindowPricing(on);
    }

    /** This rule with a suspension costing {@code seconds} of GPU time (suspend and resume together). */
    public LocalAdmission withSuspendOverhead(double seconds) {
        return new LocalAdmission(pressureKnee, hedging, rescueMargin, preemption, seconds, windowPricing);
    }

    public boolean preemption() {
        return preemption;
    }

    public double suspendOverheadSeconds() {
        return suspendOverhead;
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
        if (preemption) {
            Verdict v = withSuspension(id, now, due, local, cloudMeets ? cloud.get() : null, plan, demand, false);
            if (v != null) {
                return v;
            }
        }
        if (cloudMeets && hedging && preemption) {
            Verdict v = withSuspension(id, now, due, local, cloud.get(), plan, demand, true);
            if (v != null) {
                return v;
            }
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
        double price = windowPricing && !job.hedged()
                ? shadowPrice(now, density, o.time(), job.due() - now, plan, demand)
                : shadowPrice(now, density, o.time(), plan, demand);
        return density > price ? new Verdict(true, o.model(), reason, price, job)
                : new Verdict(false, cloud.model(), "opportunity_cost", price, null);
    }

    /**
     * As {@link #weigh}, for a job that takes a GPU by suspending {@code suspended}: the suspension's overhead costs
     * GPU time at the option's own marginal rate, which comes off the saving, and its seconds count with the job's,
     * so the saving net of it is weighed per GPU-second of the job and the overhead together. The shadow price is
     * the plan's after the suspension, at the job's own gross saving rate (which work is better is a matter of the
     * job's class, not of the overhead).
     */
    private Verdict weighSuspending(double now, LocalOption o, LocalSchedule.Job job, String reason,
            CloudOption cloud, LocalSchedule trial, DemandWindow demand, LocalSchedule.Job suspended) {
        double expected = o.time().expectedSeconds();
        double gross = cloud.priceUsd().subtract(o.marginalUsd()).doubleValue();
        double saving = gross - o.marginalUsd().doubleValue() / expected * suspendOverhead;
        if (saving <= 0) {
            return null;
        }
        double density = saving / (expected + suspendOverhead);
        double price = shadowPrice(now, gross / expected, o.time(), trial, demand);
        return density > price ? new Verdict(true, o.model(), reason, price, job, suspended) : null;
    }

    /**
     * Whether any local option could beat the shadow price with the run on {@code gpu} suspended
     * ({@link #weighSuspending}), computed on the plan as it would be without building it
     * ({@link LocalSchedule#committedWithinIfSuspended}). A cheap filter before the trial: it says false only when
     * every option's net saving density is clearly at or below that price (a relative margin of 1e-9 covers the sums
     * taken in another order), so it never drops a suspension the trial would have chosen.
     */
    private boolean mayPaySuspending(double now, List<LocalOption> local, CloudOption cloud, LocalSchedule plan,
            int gpu, double[] committed, DemandWindow.Above[] better) {
        LocalSchedule.Job rest = plan.remainderIfSuspended(gpu, now, suspendOverhead);
        for (int i = 0; i < local.size(); i++) {
            LocalOption o = local.get(i);
            double base = committed[i];
            double expected = o.time().expectedSeconds();
            double gross = cloud.priceUsd().subtract(o.marginalUsd()).doubleValue();
            double saving = gross - o.marginalUsd().doubleValue() / expected * suspendOverhead;
            if (saving <= 0) {
                continue;
            }
            double density = saving / (expected + suspendOverhead);
            double price = price(o.time(), 0, plan.gpus(),
                    h -> plan.committedWithinIfSuspended(gpu, rest, now, h, base), better[i]);
            if (density > price * (1 - 1e-9)) {
                return true;
            }
        }
        return false;
    }

    /**
     * With pre-emption on, for a queued job whose latest start on pessimistic times has come with every GPU busy (a
     * run ahead of it has outrun its pessimistic time, say): a running job to suspend so that the queue's head can
     * start at that run's next step boundary ({@link LocalSchedule#toStepBoundary}). The same runs qualify as for a
     * newcomer ({@link #decide}): not hedged, due after {@code waiting}, no suspension pending on it, and what is left
     * of it at the boundary, with the overhead, still finishes by its deadline when it joins the queue again
     * (pessimistic times, nobody pushed late); besides, the boundary must come early enough for {@code waiting} to
     * finish by its deadline on its expected time. The earliest boundary first, then the latest deadline.
     * {@code null} when pre-emption is off or no run qualifies. The plan is not changed; the caller suspends the run
     * ({@link LocalSchedule#suspend}).
     */
    public LocalSchedule.Job suspensionFor(LocalSchedule.Job waiting, double now, LocalSchedule plan) {
        if (!preemption) {
            return null;
        }
        for (int g : suspendable(waiting.id(), waiting.due(), plan, now)) {
            // The waiting job starts at the run's next step boundary, past its latest pessimistic start already:
            // a boundary too late for it to finish in time even on its expected time is no use to it.
            if (now + plan.toStepBoundary(g, now) + waiting.time().expectedSeconds() > waiting.due()) {
                continue;
            }
            LocalSchedule trial = plan.copy();
            LocalSchedule.Job rest = trial.drain(g, now, suspendOverhead);
            if (trial.admits(rest, now)) {
                return plan.runningJobs().get(g).orElseThrow();
            }
        }
        return null;
    }

    /**
     * With pre-emption on, the earliest a job due at {@code due} could start on a GPU taken from a run that may be
     * suspended for it ({@link #decide}'s runs: unhedged, due after it, none pending): that run's next step boundary.
     * {@code +Infinity} when pre-emption is off or no run qualifies. What an estimate of the job's start may use,
     * before the decision says whether a suspension pays.
     */
    public double earliestPreemptiveStart(long id, double due, LocalSchedule plan, double now) {
        if (!preemption) {
            return Double.POSITIVE_INFINITY;
        }
        Integer[] candidates = suspendable(id, due, plan, now);
        return candidates.length == 0 ? Double.POSITIVE_INFINITY : now + plan.toStepBoundary(candidates[0], now);
    }

    /**
     * The GPUs whose runs may be suspended for a job due at {@code due}: unhedged, due after it, no suspension
     * pending on them already. The run whose next step boundary comes first is tried first (the job starts sooner,
     * keeping more of its slack), then the latest deadline. Chosen on the tuning seeds 1-3 over latest deadline
     * first, which was the order before suspensions waited for a step boundary (docs/decisions.md).
     */
    private static Integer[] suspendable(long id, double due, LocalSchedule plan, double now) {
        List<Optional<LocalSchedule.Job>> running = plan.runningJobs();
        Integer[] order = new Integer[running.size()];
        int n = 0;
        for (int g = 0; g < order.length; g++) {
            LocalSchedule.Job r = running.get(g).orElse(null);
            if (r != null && !r.hedged() && !plan.suspending(g)
                    && LocalSchedule.deadlineOrder(due, id, r.due(), r.id()) < 0) {
                order[n++] = g;
            }
        }
        Integer[] candidates = java.util.Arrays.copyOf(order, n);
        java.util.Arrays.sort(candidates, (a, b) -> LocalSchedule.deadlineOrder(running.get(b).get().due(),
                running.get(b).get().id(), running.get(a).get().due(), running.get(a).get().id()));
        // Stable: equal boundaries keep the latest deadline first.
        java.util.Arrays.sort(candidates, java.util.Comparator.comparingDouble(g -> plan.toStepBoundary(g, now)));
        return candidates;
    }

    /**
     * With no GPU to take the job in time, a running job may be suspended (its latent kept) to make room: one not
     * hedged, due after this job (deadline order), whose remainder ({@link LocalSchedule#remainderIfSuspended}:
     * its whole steps left at its next step boundary plus the overhead) the plan without it still finishes by its
     * deadline when it joins the queue again (pessimistic times, the queue included, nobody pushed late), and after
     * which the plan admits this job on pessimistic times without pushing the suspended job or anyone else late. The
     * suspension takes effect at the run's next step boundary ({@link LocalSchedule#toStepBoundary}), so in the
     * trial plan its GPU stays busy until then and this job can start there no sooner. Runs are tried earliest step
     * boundary first, then latest deadline; the first that qualifies is named in the verdict, the plan itself untouched. When the cloud meets the
     * deadline the job must still beat the shadow price ({@link #weighSuspending}); when it does not, the deadline
     * decides. {@code null} when no run qualifies.
     */
    private Verdict withSuspension(long id, double now, double due, List<LocalOption> local, CloudOption cloud,
            LocalSchedule plan, DemandWindow demand, boolean hedged) {
        List<Optional<LocalSchedule.Job>> running = plan.runningJobs();
        Integer[] candidates = suspendable(id, due, plan, now);
        if (candidates.length == 0) {
            return null;
        }
        double hedgeAt = hedged ? due - cloud.latencySeconds() * rescueMargin : Double.NaN;
        if (hedged && !(hedgeAt > now)) {
            return null;
        }
        // For the filter below, per option: the plan's committed work over its run (one pass over the queue) and the
        // better work recently seen (the price's other factor); neither depends on the run suspended.
        double[] committed = new double[local.size()];
        DemandWindow.Above[] better = new DemandWindow.Above[local.size()];
        for (int i = 0; cloud != null && i < committed.length; i++) {
            LocalOption o = local.get(i);
            committed[i] = plan.committedWithin(now, o.time().pessimisticSeconds());
            better[i] = demand.above(now, cloud.priceUsd().subtract(o.marginalUsd()).doubleValue()
                    / o.time().expectedSeconds());
        }
        for (int g : candidates) {
            LocalSchedule.Job r = running.get(g).get();
            if (cloud != null && !mayPaySuspending(now, local, cloud, plan, g, committed, better)) {
                continue; // no option's saving beats the shadow price with this run suspended: no trial needed
            }
            // The run goes on to its next step boundary, its GPU busy until then: the trial plan has it so.
            LocalSchedule trial = plan.copy();
            LocalSchedule.Job rest = trial.drain(g, now, suspendOverhead);
            if (!trial.admits(rest, now)) {
                continue;
            }
            trial.enqueue(rest);
            for (LocalOption o : local) {
                LocalSchedule.Job job = new LocalSchedule.Job(id, due, o.time(), hedgeAt);
                if (trial.admits(job, now)) {
                    if (cloud == null) {
                        return new Verdict(true, o.model(), "deadline_preempt", 0, job, r);
                    }
                    Verdict v = weighSuspending(now, o, job, hedged ? "hedged_preempt" : "preempt", cloud, trial,
                            demand, r);
                    if (v != null) {
                        return v;
                    }
                    break; // a slower option saves less and would weigh no better
                }
            }
        }
        return null;
    }

    /**
     * As {@link #shadowPrice(double, double, ServiceTime, LocalSchedule, DemandWindow)}, with the pressure taken over
     * {@code horizon} seconds from now (the job's window, for window pricing) when that is longer than its
     * pessimistic run: committed work that must run in it, better work expected in it, and the job itself, over the
     * fleet's capacity in it.
     */
    public double shadowPrice(double now, double density, ServiceTime time, double horizon, LocalSchedule plan,
            DemandWindow demand) {
        return price(time, horizon, plan.gpus(), h -> plan.committedWithin(now, h), demand.above(now, density));
    }

    /**
     * {@link #shadowPrice}, with the plan's committed work over a horizon given as a function of the horizon and the
     * better work recently seen ({@link DemandWindow#above}) given.
     */
    private double price(ServiceTime time, double horizon, int gpus,
            java.util.function.DoubleUnaryOperator committedWithin, DemandWindow.Above above) {
        if (above.meanDensity() == 0) {
            return 0;
        }
        double run = time.pessimisticSeconds();
        double h = Math.max(run, horizon);
        double pressure = (committedWithin.applyAsDouble(h) + above.gpus() * h + run) / (gpus * h);
        double ramp = Math.max(0, Math.min(1, (pressure - pressureKnee) / (1 - pressureKnee)));
        return above.meanDensity() * ramp;
    }

    /**
     * The opportunity cost of one GPU-second for a job of this density and service time: the mean saving per
     * GPU-second of the better-paying work that arrived recently, times the pressure on the fleet over the job's
     * run (committed work that must run in it, plus better work expected in it at the recent rate, plus the job
     * itself, over the fleet's capacity in that time), ramped from 0 at the knee to 1 at full.
     */
    public double shadowPrice(double now, double density, ServiceTime time, LocalSchedule plan,
            DemandWindow demand) {
        return shadowPrice(now, density, time, 0, plan, demand);
    }

    private static double density(LocalOption o, Optional<CloudOption> cloud, boolean cloudMeets) {
        if (!cloudMeets) {
            return DEADLINE_DENSITY;
        }
        double saving = cloud.get().priceUsd().subtract(o.marginalUsd()).doubleValue();
        return Math.max(0, saving) / o.time().expectedSeconds();
    }
}
