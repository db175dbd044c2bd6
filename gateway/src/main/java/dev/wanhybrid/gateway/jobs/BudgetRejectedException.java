package dev.wanhybrid.gateway.jobs;

import dev.wanhybrid.gateway.budget.BudgetExceededException;

/** Every feasible candidate of a request would exceed a budget cap; carries the first cap that refused. */
public class BudgetRejectedException extends Exception {

    private final BudgetExceededException first;

    public BudgetRejectedException(BudgetExceededException first) {
        super(first.getMessage(), first);
        this.first = first;
    }

    public BudgetExceededException cap() {
        return first;
    }
}
