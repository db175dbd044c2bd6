package dev.wanhybrid.cost.budget;

import dev.wanhybrid.cost.Money;
import java.util.Objects;

/**
 * A spending limit: for everyone or one tenant, per day or per month.
 *
 * @param scope global or tenant
 * @param tenant the tenant id for a tenant cap, the empty string for a global one
 * @param period day or month
 * @param limit the most that may be committed (reserved plus spent) in one period
 * @param whenExhausted what a request the cap can no longer pay for gets
 */
public record BudgetCap(BudgetScope scope, String tenant, BudgetPeriod period, Money limit,
        WhenExhausted whenExhausted) {

    /** A cap that rejects once spent. */
    public BudgetCap(BudgetScope scope, String tenant, BudgetPeriod period, Money limit) {
        this(scope, tenant, period, limit, WhenExhausted.REJECT);
    }

    public BudgetCap {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(whenExhausted, "whenExhausted");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(limit, "limit");
        tenant = scope == BudgetScope.GLOBAL ? "" : Objects.requireNonNull(tenant, "tenant");
        if (scope == BudgetScope.TENANT && tenant.isBlank()) {
            throw new IllegalArgumentException("a tenant cap needs a tenant id");
        }
        if (limit.isNegative()) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
    }

    /** A readable name such as {@code tenant:acme/day} or {@code global/month}. */
    public String name() {
        return (scope == BudgetScope.GLOBAL ? "global" : "tenant:" + tenant) + "/" + period.id();
    }
}
