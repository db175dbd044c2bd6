package dev.wanhybrid.gateway.jobs;

import java.util.OptionalInt;

/** How many more jobs of a backend this instance may claim now, where that is limited by more than the batch. */
@FunctionalInterface
public interface ClaimRoom {

    /** No backend is limited: the single-machine default. */
    ClaimRoom UNLIMITED = (backend, owner) -> OptionalInt.empty();

    /** Room left for {@code backend}'s jobs held by {@code owner}; empty when only the claim batch limits it. */
    OptionalInt room(String backend, String owner);
}
