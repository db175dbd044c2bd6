package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.budget.BudgetExceededException;
import dev.wanhybrid.gateway.budget.SpendLedger;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A spend ledger test double that keeps reservations in memory, refuses reservations for backends on a deny
 * list, and counts settlements so tests can check the exactly-once rule.
 */
public class RecordingLedger implements SpendLedger {

    private final Map<String, BigDecimal> reserved = new ConcurrentHashMap<>();
    private final Map<String, BigDecimal> settled = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> settleCalls = new ConcurrentHashMap<>();
    private final Set<String> overBudgetBackends = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reservations = new AtomicInteger();

    public void refuse(String backend) {
        overBudgetBackends.add(backend);
    }

    public void reset() {
        reserved.clear();
        settled.clear();
        settleCalls.clear();
        overBudgetBackends.clear();
        reservations.set(0);
    }

    @Override
    public void reserve(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
            throws BudgetExceededException {
        if (overBudgetBackends.contains(backend)) {
            throw new BudgetExceededException("tenant:" + tenant + "/day", BigDecimal.ZERO,
                    "daily cap for " + tenant + " is spent");
        }
        reserved.put(jobId, estimateUsd == null ? BigDecimal.ZERO : estimateUsd);
        reservations.incrementAndGet();
    }

    /** How many reservations were made since the last {@link #reset()}. */
    public int reservationsMade() {
        return reservations.get();
    }

    @Override
    public BigDecimal settle(String jobId, String tenant, String backend, BackendTask task, TaskSnapshot snapshot) {
        settleCalls.computeIfAbsent(jobId, j -> new AtomicInteger()).incrementAndGet();
        reserved.remove(jobId);
        return settled.computeIfAbsent(jobId, j -> backend.endsWith("cloud") ? new BigDecimal("0.50")
                : new BigDecimal("0.012"));
    }

    @Override
    public void release(String jobId) {
        reserved.remove(jobId);
    }

    public boolean holdsReservation(String jobId) {
        return reserved.containsKey(jobId);
    }

    public int settleCalls(String jobId) {
        AtomicInteger n = settleCalls.get(jobId);
        return n == null ? 0 : n.get();
    }
}
