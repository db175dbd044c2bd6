package dev.wanhybrid.cloud.tracking;

import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-model task slots of one process (5 for wan2.5/2.6, 2 for wan2.1/2.2 by default, from the catalog), kept in
 * memory; see {@link TaskSlots} for the contract.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyLimits implements TaskSlots {

    /** The limit of a model the catalog does not list: the strictest one it has. */
    public static final int DEFAULT_LIMIT = 2;

    private final Map<String, Integer> limits;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, String> holders = new HashMap<>();

    public ConcurrencyLimits(Map<String, Integer> limitsByModel) {
        this.limits = checked(limitsByModel);
    }

    /** An unmodifiable copy of per-model limits, each at least 1, else a message naming the model and the value. */
    public static Map<String, Integer> checked(Map<String, Integer> limitsByModel) {
        limitsByModel.forEach((model, limit) -> {
            if (limit == null || limit < 1) {
                throw new IllegalArgumentException("concurrency limit for " + model + " must be >= 1, was " + limit);
            }
        });
        return Map.copyOf(limitsByModel);
    }

    /** The catalog's limits, with {@code overrides} (model id to limit) applied on top. */
    public static ConcurrencyLimits fromCatalog(ModelCatalog catalog, Map<String, Integer> overrides) {
        return new ConcurrencyLimits(limitsFromCatalog(catalog, overrides));
    }

    /** The catalog's limits by model id, with {@code overrides} applied on top. */
    public static Map<String, Integer> limitsFromCatalog(ModelCatalog catalog, Map<String, Integer> overrides) {
        Map<String, Integer> limits = new HashMap<>();
        for (CloudModel model : catalog.models()) {
            limits.put(model.id(), model.concurrency());
        }
        if (overrides != null) {
            limits.putAll(overrides);
        }
        return limits;
    }

    /** Takes a permit for {@code holder} if the model has one free; true also when the holder already has one. */
    @Override
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
    @Override
    public synchronized void adopt(String model, String holder) {
        if (holders.putIfAbsent(holder, model) == null) {
            inFlight.merge(model, 1, Integer::sum);
        }
    }

    /** Moves a permit from one holder name to another (a job id becomes the task id it created). */
    @Override
    public synchronized void rename(String from, String to) {
        String model = holders.remove(from);
        if (model != null) {
            holders.put(to, model);
        }
    }

    /** Returns the holder's permit; returns false when it held none. */
    @Override
    public synchronized boolean release(String holder) {
        String model = holders.remove(holder);
        if (model == null) {
            return false;
        }
        inFlight.merge(model, -1, (a, b) -> a + b <= 0 ? null : a + b);
        return true;
    }

    @Override
    public synchronized boolean holds(String holder) {
        return holders.containsKey(holder);
    }

    @Override
    public synchronized int inFlight(String model) {
        return inFlight.getOrDefault(model, 0);
    }

    /** The models that have a configured limit. */
    @Override
    public java.util.Set<String> models() {
        return limits.keySet();
    }

    /** The model's limit; an unlisted model gets the strictest default, 2. */
    @Override
    public int limit(String model) {
        return limits.getOrDefault(model, DEFAULT_LIMIT);
    }
}
