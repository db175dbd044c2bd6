package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.backend.TaskSnapshot;
import java.math.BigDecimal;

/** Turns a finished task's reported usage into money: billed seconds times price, or GPU-seconds times rate. */
public interface SettlementPricer {

    /**
     * What one finished task cost.
     *
     * @param actualUsd the amount to record; zero for a task that failed or was cancelled
     * @param listUsd the same video at cloud list price, for savings; {@code null} when no cloud model could make it
     * @param billedSeconds the provider's billed seconds (cloud) or {@code null}
     * @param gpuSeconds measured GPU time (local) or {@code null}
     */
    record Settlement(BigDecimal actualUsd, BigDecimal listUsd, BigDecimal billedSeconds, BigDecimal gpuSeconds) {}

    Settlement price(String backend, BackendTask task, TaskSnapshot snapshot);
}
