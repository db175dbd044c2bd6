package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.jobs.ClaimRoom;
import dev.wanhybrid.gateway.jobs.JobQueries;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/**
 * A GPU worker's claim limit: local jobs only up to its local capacity (queued plus running tasks) minus the local
 * jobs it already holds, so work that arrives while it is busy stays queued for workers that start later.
 */
public class LocalClaimRoom implements ClaimRoom {

    private final IntSupplier capacity;
    private final JobQueries jobs;

    /**
     * @param capacity the local backend's capacity now; {@code 0} or less means unbounded (no limit)
     */
    public LocalClaimRoom(IntSupplier capacity, JobQueries jobs) {
        this.capacity = capacity;
        this.jobs = jobs;
    }

    @Override
    public OptionalInt room(String backend, String owner) {
        int max = capacity.getAsInt();
        if (!Backend.LOCAL.is(backend) || max <= 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) Math.max(0, max - jobs.activeLeasedBy(owner, backend)));
    }
}
