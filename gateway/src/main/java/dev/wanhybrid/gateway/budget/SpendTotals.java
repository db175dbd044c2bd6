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
 * @param listUsd what they would have cost at cloud list price
 */
public record SpendTotals(String backend, String model, String tenant, long videos, BigDecimal actualUsd,
        BigDecimal listUsd) {

    /** All-cloud list price minus actual, never negative per row. */
    public BigDecimal savingsUsd() {
        BigDecimal s = listUsd.subtract(actualUsd);
        return s.signum() < 0 ? BigDecimal.ZERO : s;
    }
}
