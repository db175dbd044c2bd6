package dev.wanhybrid.gateway.budget;

import dev.wanhybrid.cost.budget.BudgetCap;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One cap and where it stands in the current period.
 *
 * @param cap the cap
 * @param periodKey the current period, e.g. {@code 2026-11-22}
 * @param committedUsd reserved plus settled in this period
 * @param remainingUsd limit minus committed (negative when a settled amount ran over its estimate)
 * @param resetsAt when the next period starts
 */
public record BudgetStatus(BudgetCap cap, String periodKey, BigDecimal committedUsd, BigDecimal remainingUsd,
        Instant resetsAt) {}
