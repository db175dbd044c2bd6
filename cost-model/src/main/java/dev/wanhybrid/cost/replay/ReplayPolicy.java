package dev.wanhybrid.cost.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the replay sends each job. The default mirrors the gateway router's documented rules
 * ({@link CheapestFeasiblePolicy}); the gateway can plug its real router in behind this interface.
 */
@FunctionalInterface
public interface ReplayPolicy {

    /**
     * What the policy may look at when a job arrives.
     *
     * @param now the arrival time
     * @param localWait how long a job submitted now waits for a GPU (exact for the simulated FIFO queue)
     * @param localQueued jobs waiting for a GPU
     * @param gpus GPUs in the fleet
     * @param local every local way to make the job, fewest GPU-seconds first
     * @param cloud the cheapest cloud way, if any
     */
    record View(Instant now, Duration localWait, int localQueued, int gpus, List<ReplayCatalog.LocalOption> local,
            Optional<ReplayCatalog.CloudOption> cloud) {}

    /**
     * @param backend {@code local} or {@code cloud}
     * @param model the model chosen
     * @param reason a short reason code
     */
    record Decision(String backend, String model, String reason) {}

    Decision decide(TraceJob job, View view);

    /** A name for the report. */
    default String name() {
        return getClass().getSimpleName();
    }
}
