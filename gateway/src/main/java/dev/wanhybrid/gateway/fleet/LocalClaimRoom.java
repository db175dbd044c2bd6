package dev.wanhybrid.gateway.fleet;

import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.jobs.ClaimRoom;
import java.util.OptionalInt;
import java.util.function.IntSupplier;

/**
 * A GPU worker's claim limit: local jobs only up to its local capacity (queued plus running tasks) minus the local
 * jobs it already holds, so work that arrives while it is busy stays queued for workers that start later.
 */
public class LocalClaimRoom implements ClaimRoom {

    private final IntSupplier capacity;
    private final HeartbeatStore store;

    /**
     * @param capacity the local backend's capacity now; {@code 0} or less means unbounded (no limit)
     */
    public LocalClaimRoom(IntSupplier capacity, HeartbeatStore store) {
        this.capacity = capacity;
        this.store = store;
    }

    @Override
    public OptionalInt room(String backend, String owner) {
        int max = capacity.getAsInt();
        if (!LocalBackend.ID.equals(backend) || max <= 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) Math.max(0, max - store.ownedActiveJobs(owner, backend)));
    }
}
