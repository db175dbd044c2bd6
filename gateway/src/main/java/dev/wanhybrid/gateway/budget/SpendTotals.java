package dev.wanhybrid.gateway.budget;

import java.math.BigDecimal;

/**
 * Settled spend of one backend, model and tenant.
 *
 * @param backend {@code local} or {@code cloud}
 * @param model catalog model id
 * @param tenant tenant id
 * @param videos settled jobs
 * @param actualUsd what they cost
 * @param listUsd what they would have cost without our GPUs: for local jobs the counterfactual cloud price the
 *     ledger recorded at settlement, for cloud jobs what they cost (a local job no cloud model could make counts
 *     its own cost, so it saves nothing)
 */
public record SpendTotals(String backend, String model, String tenant, long videos, BigDecimal actualUsd,
        BigDecimal listUsd) {

    /**
     * Saved against all-cloud: the all-cloud price minus what the jobs cost. Negative when local work cost more
     * than the cloud would have charged (a slow run on a busy fleet); not hidden.
     */
    public BigDecimal savingsUsd() {
        return listUsd.subtract(actualUsd);
    }
}
