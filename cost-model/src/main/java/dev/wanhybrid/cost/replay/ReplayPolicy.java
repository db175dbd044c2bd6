package dev.wanhybrid.cost.replay;

import dev.wanhybrid.cost.routing.LocalSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the replay sends each job. The default is the routing core the gateway's router runs ({@link RouterPolicy});
 * the older rules stay as named baselines ({@link CheapestFeasiblePolicy}, {@link DensityAwarePolicy}), and the
 * gateway plugs its whole router in behind this interface to prove the two agree.
 */
@FunctionalInterface
public interface ReplayPolicy {

    /**
     * What the policy may look at when a job arrives.
     *
     * @param now the arrival time
     * @param localWait how long the job would wait for a GPU if admitted now (planned, on expected times)
     * @param localQueued jobs waiting for a GPU
     * @param gpus GPUs in the fleet
     * @param local every local way to make the job, fewest GPU-seconds first
     * @param cloud the cheapest cloud way, if any
     * @param id the job's id in the plan
     * @param clock the plan's clock at {@code now}: seconds since the trace's first midnight
     * @param plan the fleet's plan (deadline-ordered queue, running jobs); read it, do not change it
     */
    record View(Instant now, Duration localWait, int localQueued, int gpus, List<ReplayCatalog.LocalOption> local,
            Optional<ReplayCatalog.CloudOption> cloud, long id, double clock, LocalSchedule plan) {

        public View(Instant now, Duration localWait, int localQueued, int gpus, List<ReplayCatalog.LocalOption> local,
                Optional<ReplayCatalog.CloudOption> cloud) {
            this(now, localWait, localQueued, gpus, local, cloud, 0, 0, new LocalSchedule(gpus));
        }
    }

    /**
     * @param backend {@code local} or {@code cloud}
     * @param model the model chosen
     * @param reason a short reason code
     * @param hedgeAt for a local job run hedged, the replay clock's second at which it moves to the cloud if it has
     *     not started or will finish late ({@link dev.wanhybrid.cost.routing.LocalSchedule.Job#hedgeAt()});
     *     {@code NaN} otherwise
     * @param suspend for a local job, the id of a running job the replay suspends before this one joins the queue
     *     (what is left of it queued again, to resume later); -1 for none
     * @param suspendOverhead GPU-seconds the suspension and its resume cost together, added to the resumed run
     */
    record Decision(String backend, String model, String reason, double hedgeAt, long suspend,
            double suspendOverhead) {

        public Decision(String backend, String model, String reason, double hedgeAt) {
            this(backend, model, reason, hedgeAt, -1, 0);
        }

        public Decision(String backend, String model, String reason) {
            this(backend, model, reason, Double.NaN);
        }
    }

    Decision decide(TraceJob job, View view);

    /**
     * For a pre-empting policy: a running job to suspend, now that {@code waiting}'s latest start on pessimistic
     * times has come with every GPU busy; {@code null} for none, what a policy that does not pre-empt says.
     */
    default LocalSchedule.Job suspensionFor(LocalSchedule.Job waiting, double clock, LocalSchedule plan) {
        return null;
    }

    /** Whether the policy suspends running jobs ({@link Decision#suspend()}, {@link #suspensionFor}). */
    default boolean preempts() {
        return false;
    }

    /** GPU-seconds one suspension and its resume cost, for a policy that {@linkplain #preempts() pre-empts}. */
    default double suspendOverhead() {
        return 0;
    }

    /**
     * Whether the policy reads {@link View#localWait()}; planning it costs a pass over the queue per job, so a
     * policy that reads the plan itself says no and gets zero.
     */
    default boolean readsLocalWait() {
        return true;
    }

    /** A name for the report. */
    default String name() {
        return getClass().getSimpleName();
    }
}
