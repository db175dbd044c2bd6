package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import dev.wanhybrid.gateway.database.SqlWrites;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The spend ledger: the single source of truth for money. Every job gets an estimate at routing time, a
 * reservation while it runs, and its actual amount at completion; metrics and budgets are derived from it. The caps
 * it reserves against are set and read through {@link BudgetCaps}, its totals through {@link SpendReports}.
 */
public interface SpendLedger {

    /**
     * Reserves the estimate against every cap that applies (tenant and global, day and month), atomically, so
     * concurrent requests cannot overshoot a cap.
     *
     * @throws BudgetExceededException naming the cap that would be exceeded
     */
    void reserve(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
            throws BudgetExceededException;

    /**
     * {@link #reserve} for a job the ledger has never seen: one being created under a fresh id. A ledger may skip
     * looking for an earlier entry; if there is one after all, the call fails (and with it the caller's transaction)
     * rather than reserve twice. This default looks anyway.
     *
     * @throws BudgetExceededException naming the cap that would be exceeded
     */
    default void reserveNew(String jobId, String tenant, String backend, String model, BigDecimal estimateUsd)
            throws BudgetExceededException {
        reserve(jobId, tenant, backend, model, estimateUsd);
    }

    /**
     * A new job's reservation ready to be written together with other jobs' ({@link #reserveAllNew}), when no budget
     * cap applies to any of its scopes as the caps are now: such a reservation cannot be refused, so it needs no
     * counter and no lock. Empty when a cap applies; the job then goes through {@link #reserveNew}. This default is
     * always empty.
     */
    default Optional<NewReservation> uncappedNew(String jobId, String tenant, String backend, String model,
            BigDecimal estimateUsd) {
        return Optional.empty();
    }

    /**
     * Writes reservations made ready by {@link #uncappedNew}, in the caller's transaction. An entry that exists
     * already makes the call fail (and with it the caller's transaction) rather than reserve twice.
     */
    default void reserveAllNew(List<NewReservation> reservations) {
        throw new UnsupportedOperationException("this ledger makes no reservation ready to be written in a group");
    }

    /** {@link #reserveAllNew(List)} through {@code writes}: its statements go with others (one round trip). */
    default void reserveAllNew(List<NewReservation> reservations, SqlWrites writes) {
        throw new UnsupportedOperationException("this ledger makes no reservation ready to be written in a group");
    }

    /**
     * Records the actual amount for a finished task (from the provider's usage or measured GPU time) and releases
     * the reservation. Idempotent per job: a second call returns the first amount and records nothing.
     *
     * @return the actual amount in USD
     */
    BigDecimal settle(String jobId, String tenant, String backend, BackendTask task, TaskSnapshot snapshot);

    /** Releases the reservation of a job that failed or was cancelled without being billed. Idempotent. */
    void release(String jobId);

    /**
     * Records what a provider billed that no job settled (billing reconciliation): an orphan task under its own
     * entry id, or the task of a job that was cancelled or failed after it ran under the job's id, with the reason.
     * Counts against the budgets like any settlement. Idempotent per entry id. This default records the amount
     * without the reason (for ledgers that keep none).
     *
     * @param reason {@code orphan_task}, {@code cancelled_but_billed} or {@code failed_but_billed}
     * @return the amount recorded
     */
    default BigDecimal recordBilled(String entryId, String tenant, String backend, BackendTask task,
            TaskSnapshot snapshot, String reason) {
        return settle(entryId, tenant, backend, task, snapshot);
    }
}
