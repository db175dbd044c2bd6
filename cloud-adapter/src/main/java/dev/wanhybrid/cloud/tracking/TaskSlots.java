package dev.wanhybrid.cloud.tracking;

import java.util.Set;

/**
 * Per-model slots for tasks in progress at one provider account, so that a caller queues locally instead of
 * provoking 429s. A slot is held by a named holder (a job id until the task id is known, then the task id) from
 * before the create until the task ends, and is released once, however often release is called.
 *
 * <p>{@link ConcurrencyLimits} counts the slots of one process; an implementation may also count the slots of every
 * process that uses the same account. Implementations are thread-safe.
 */
public interface TaskSlots {

    /** Takes a slot for {@code holder} if the model has one free; true also when the holder already has one. */
    boolean tryAcquire(String model, String holder);

    /**
     * Counts a task that is already in progress (found again after a restart, or started elsewhere) even if that
     * exceeds the limit, so new work waits until the count is back under it; nothing when the holder holds a slot.
     */
    void adopt(String model, String holder);

    /** Moves a slot from one holder name to another (a job id becomes the task id it created). */
    void rename(String from, String to);

    /** Returns the holder's slot; returns false when it held none. */
    boolean release(String holder);

    /** Whether {@code holder} holds a slot. */
    boolean holds(String holder);

    /** The slots of the model held now. */
    int inFlight(String model);

    /** The models that have a configured limit. */
    Set<String> models();

    /** The model's limit; an unlisted model gets the strictest default, 2. */
    int limit(String model);
}
