package dev.wanhybrid.cloud.tracking;

import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-model permits for tasks in progress (5 for wan2.5/2.6, 2 for wan2.1/2.2 by default, from the catalog), so
 * a caller queues locally instead of provoking 429s. A permit is held by a named holder (a job or task id) from
 * before the create until the task ends, and is released once, however often release is called.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyLimits {

    private final Map<String, Integer> limits;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, String> holders = new HashMap<>();

    public ConcurrencyLimits(Map<String, Integer> limitsByModel) {
        limitsByModel.forEach((model, limit) -> {
            if (limit == null || limit < 1) {
                throw new IllegalArgumentException("concurrency limit for " + model + " must be >= 1, was " + limit);
            }
        });
        this.limits = Map.copyOf(limitsByModel);
    }

    /** The catalog's limits, with {@code overrides} (model id to limit) applied on top. */
    public static ConcurrencyLimits fromCatalog(ModelCatalog catalog, Map<String, Integer> overrides) {
        Map<String, Integer> limits = new HashMap<>();
        for (CloudModel model : catalog.models()) {
            limits.put(model.id(), model.concurrency());
        }
        if (overrides != null) {
            limits.putAll(overrides);
        }
        return new ConcurrencyLimits(limits);
    }

    /** Takes a permit for {@code holder} if the model has one free; true also when the holder already has one. */
    public synchronized boolean tryAcquire(String model, String holder) {
        if (holders.containsKey(holder)) {
            return true;
        }
        int limit = limit(model);
        int current = inFlight.getOrDefault(model, 0);
        if (current >= limit) {
            return false;
        }
        inFlight.put(model, current + 1);
        holders.put(holder, model);
        return true;
    }

    /**
     * Counts a task that is already in progress (found again after a restart) even if that exceeds the limit,
     * so new work waits until the count is back under it.
     */
    public synchronized void adopt(String model, String holder) {
        if (holders.putIfAbsent(holder, model) == null) {
            inFlight.merge(model, 1, Integer::sum);
        }
    }

    /** Moves a permit from one holder name to another (a job id becomes the task id it created). */
    public synchronized void rename(String from, String to) {
        String model = holders.remove(from);
        if (model != null) {
            holders.put(to, model);
        }
    }

    /** Returns the holder's permit; returns false when it held none. */
    public synchronized boolean release(String holder) {
        String model = holders.remove(holder);
        if (model == null) {
            return false;
        }
        inFlight.merge(model, -1, (a, b) -> a + b <= 0 ? null : a + b);
        return true;
    }

    public synchronized boolean holds(String holder) {
        return holders.containsKey(holder);
    }

    public synchronized int inFlight(String model) {
        return inFlight.getOrDefault(model, 0);
    }

    /** The models that have a configured limit. */
    public java.util.Set<String> models() {
        return limits.keySet();
    }

    /** The model's limit; an unlisted model gets the strictest default, 2. */
    public int limit(String model) {
        return limits.getOrDefault(model, 2);
    }
}
