package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.gateway.schedule.PeriodicTask;
import java.time.Duration;

/**
 * Pre-emption's second occasion ({@code gateway.routing.preemption}): a queued local task whose latest start has come
 * (its deadline less its pessimistic time) while every GPU is busy, because a run ahead of it outran its estimate,
 * say. Each round the planner looks for a run the routing core would suspend for it and asks the local backend to
 * suspend that run at its next step boundary ({@link DefaultRoutePlanner#suspendAtLatestStart}), so the queue's head
 * starts there. The replay does the same at each queued job's latest start; a round every second is late by at most
 * a second, on runs whose steps take seconds to minutes.
 */
public final class LatestStartWatch implements AutoCloseable {

    private final PeriodicTask rounds;

    public LatestStartWatch(DefaultRoutePlanner planner, Duration every) {
        this(planner::suspendAtLatestStart, every);
    }

    private LatestStartWatch(Runnable round, Duration every) {
        this.rounds = PeriodicTask.every("latest-start-watch", every, round);
    }

    /** For a gateway whose route planner is another one than the routing core's: nothing to watch. */
    static LatestStartWatch idle(Duration every) {
        return new LatestStartWatch(() -> {}, every);
    }

    public void start() {
        rounds.start();
    }

    @Override
    public void close() {
        rounds.stop();
    }
}
