package dev.wanhybrid.gateway.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One worker's last heartbeat row ({@code local_workers}).
 *
 * @param instanceId the worker's lease owner id
 * @param models the catalog models its engines serve
 * @param readyWorkers engine workers able to take a task
 * @param capacity tasks (queued plus running) it holds at most
 * @param freeSlots capacity not taken
 * @param queued tasks in its engine queues, not started
 * @param running tasks on a device now
 * @param estimatedWait its own estimate of a new task's queue wait
 * @param lastSeen when the row was written
 */
public record Heartbeat(String instanceId, Set<String> models, int readyWorkers, int capacity, int freeSlots,
        int queued, int running, Duration estimatedWait, Instant lastSeen) {

    public Heartbeat {
        models = Set.copyOf(models);
    }
}
